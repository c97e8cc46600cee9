using Mira.Conversion;

namespace Mira.Cli.Commands.Archive;

/// <summary>What <c>mira import</c> was told about non-DICOM files.</summary>
public sealed record ConversionOptions(string? Meta, string? Modality, string? LabelsFor = null)
{
    /// <summary>A usage problem, or null.</summary>
    public string? Problem() => Modality is not (null or "MR" or "CT") ? $"--modality: '{Modality}' is not MR or CT"
        : LabelsFor is not null && !Mira.Dicom.Values.DicomUid.IsValid(LabelsFor) ? $"--labels-for: '{LabelsFor}' is not a Series Instance UID"
        : null;
}

/// <summary>The conversion request for one file: its subject from the sidecar, or placeholders.</summary>
static class ConversionRequests
{
    public static ConversionRequest For(string path, string relative, SidecarFile? sidecar, ConversionOptions options)
    {
        ConversionSubject subject;
        if (sidecar is not null)
            subject = sidecar.For(relative) ?? throw new ConversionException($"{path}: {sidecar.Path} has no row for '{relative.Replace('\\', '/')}'");
        else
            subject = ConversionSubject.Placeholder(ConversionUids.HashFile(path));
        return ConversionRequest.For(subject, options.Modality);
    }
}
