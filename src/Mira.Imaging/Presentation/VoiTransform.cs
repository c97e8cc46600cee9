using Mira.Dicom;

namespace Mira.Imaging.Presentation;

/// <summary>
/// The VOI LUT stage (PS3.3 §C.11.2): modality values to display values in [0, 1], by a window (Window Center and
/// Width with the VOI LUT Function) or by the LUT of the VOI LUT Sequence. Where a data set has several windows the
/// first is used; where it has both a window and a VOI LUT Sequence, the window (§C.11.2.1.2 lets the application
/// choose). With neither, <see cref="VoiSource.MinMax"/>: the frame's smallest to largest modality value.
/// </summary>
public sealed class VoiTransform
{
    VoiTransform(VoiWindow? window, LookupTable? lut, VoiSource source)
    {
        Window = window;
        Lut = lut;
        Source = source;
    }

    public VoiWindow? Window { get; }
    public LookupTable? Lut { get; }
    public VoiSource Source { get; }

    public static VoiTransform FromWindow(VoiWindow window, VoiSource source = VoiSource.Request) => new(window, null, source);

    public static VoiTransform FromLut(LookupTable lut) => new(null, lut, VoiSource.LutSequence);

    /// <summary>A LINEAR_EXACT window from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static VoiTransform MinMax(double min, double max) =>
        new(new VoiWindow((min + max) / 2, Math.Max(max - min, double.Epsilon), VoiFunction.LinearExact), null, VoiSource.MinMax);

    /// <summary>A display value in [0, 1].</summary>
    public double Apply(double x)
    {
        if (Lut is not null) return Lut.MaxOutput == 0 ? 0 : Math.Clamp((double)Lut.Lookup(x) / Lut.MaxOutput, 0, 1);
        return Window!.Apply(x, 0, 1);
    }

    /// <summary>
    /// The window or LUT the data set gives for frame <paramref name="frameIndex"/>: the frame's Frame VOI LUT
    /// Sequence (0028,9132), else Window Center/Width, else the VOI LUT Sequence; null when it gives none (or
    /// only an invalid window: width below 1 for LINEAR, 0 or less otherwise).
    /// </summary>
    public static VoiTransform? FromDataset(DicomDataset ds, int frameIndex, bool signedInput)
    {
        if (FunctionalGroups.Find(ds, frameIndex, DicomTags.FrameVOILUTSequence) is { } frameVoi && WindowOf(frameVoi) is { } fw)
            return FromWindow(fw, VoiSource.Dataset);
        if (WindowOf(ds) is { } w) return FromWindow(w, VoiSource.Dataset);
        if (ds.GetSequence(DicomTags.VOILUTSequence) is { Items.Count: > 0 } seq)
            return FromLut(LookupTable.Read(seq.Items[0], DicomTags.LUTDescriptor, DicomTags.LUTData, signedInput, "VOI LUT Sequence"));
        return null;
    }

    static VoiWindow? WindowOf(DicomDataset ds)
    {
        double? c = ModalityTransform.Number(ds, DicomTags.WindowCenter), w = ModalityTransform.Number(ds, DicomTags.WindowWidth);
        if (c is null || w is null) return null;
        var function = VoiWindow.ParseFunction(ds.GetString(DicomTags.VOILUTFunction)) ?? VoiFunction.Linear;
        var window = new VoiWindow(c.Value, w.Value, function);
        return window.IsValid ? window : null;
    }
}

/// <summary>Where the VOI transform came from.</summary>
public enum VoiSource
{
    /// <summary>The caller's window (query parameter, command-line option).</summary>
    Request,
    /// <summary>Window Center/Width of the data set (or the frame's functional group).</summary>
    Dataset,
    /// <summary>The VOI LUT Sequence.</summary>
    LutSequence,
    /// <summary>No VOI in the data set: the frame's value range.</summary>
    MinMax,
}
