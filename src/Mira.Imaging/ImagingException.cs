using Mira.Dicom;

namespace Mira.Imaging;

/// <summary>An image, volume or file that cannot be presented, assembled or converted; the message says what and where.</summary>
public sealed class ImagingException : MiraException
{
    public ImagingException(string message) : base(message) { }
    public ImagingException(string message, Exception inner) : base(message, inner) { }
}
