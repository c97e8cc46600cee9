using Mira.Dicom;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>An evaluation that cannot run on its inputs (a missing or unreadable file, grids that differ, a bad spec); the message names the case and the file.</summary>
public sealed class EvaluationException : MiraException
{
    public EvaluationException(string message) : base(message) { }
    public EvaluationException(string message, Exception inner) : base(message, inner) { }
}
