using Mira.Dicom;

namespace Mira.Imaging.Presentation;

/// <summary>
/// The Modality LUT stage (PS3.3 §C.11.1): stored values to modality values (e.g. Hounsfield units), by Rescale Slope
/// and Intercept (output = slope × stored + intercept) or by the LUT of the Modality LUT Sequence's first item. For
/// enhanced multi-frame objects the frame's Pixel Value Transformation Sequence (0028,9145), per-frame or shared
/// (PS3.3 §C.7.6.16.2.9), gives the rescale.
/// </summary>
public sealed class ModalityTransform
{
    ModalityTransform(double slope, double intercept, LookupTable? lut)
    {
        Slope = slope;
        Intercept = intercept;
        Lut = lut;
    }

    public double Slope { get; }
    public double Intercept { get; }
    public LookupTable? Lut { get; }

    public static ModalityTransform Identity { get; } = new(1, 0, null);

    public static ModalityTransform Rescale(double slope, double intercept) => new(slope, intercept, null);

    public static ModalityTransform FromLut(LookupTable lut) => new(1, 0, lut);

    public bool IsIdentity => Lut is null && Slope == 1 && Intercept == 0;

    public double Apply(double stored) => Lut is not null ? Lut.Lookup(stored) : stored * Slope + Intercept;

    /// <summary>The transform for frame <paramref name="frameIndex"/> (from 0) of a data set.</summary>
    public static ModalityTransform For(DicomDataset ds, int frameIndex, bool signedPixels)
    {
        if (FunctionalGroups.Find(ds, frameIndex, DicomTags.PixelValueTransformationSequence) is { } pvt
            && RescaleOf(pvt) is { } perFrame)
            return perFrame;
        if (ds.GetSequence(DicomTags.ModalityLUTSequence) is { Items.Count: > 0 } seq)
            return FromLut(LookupTable.Read(seq.Items[0], DicomTags.LUTDescriptor, DicomTags.LUTData, signedPixels, "Modality LUT Sequence"));
        return RescaleOf(ds) ?? Identity;
    }

    static ModalityTransform? RescaleOf(DicomDataset ds)
    {
        double? slope = Number(ds, DicomTags.RescaleSlope), intercept = Number(ds, DicomTags.RescaleIntercept);
        if (slope is null && intercept is null) return null;
        var m = slope is { } s && s != 0 && double.IsFinite(s) ? s : 1;
        var b = intercept is { } i && double.IsFinite(i) ? i : 0;
        return Rescale(m, b);
    }

    /// <summary>The first value of a numeric element, or null when absent, empty or not a number.</summary>
    internal static double? Number(DicomDataset ds, DicomTag tag) => ds.TryGetDouble(tag, out var v) ? v : null;
}

/// <summary>Functional group macros of enhanced multi-frame objects (PS3.3 §C.7.6.16).</summary>
public static class FunctionalGroups
{
    /// <summary>
    /// The first item of <paramref name="sequence"/> for a frame: from the frame's item of the Per-Frame Functional
    /// Groups Sequence, else from the Shared Functional Groups Sequence; null when neither has it.
    /// </summary>
    public static DicomDataset? Find(DicomDataset ds, int frameIndex, DicomTag sequence)
    {
        if (ds.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence) is { } perFrame && frameIndex < perFrame.Items.Count
            && perFrame.Items[frameIndex].GetSequence(sequence) is { Items.Count: > 0 } own)
            return own.Items[0];
        if (ds.GetSequence(DicomTags.SharedFunctionalGroupsSequence) is { Items.Count: > 0 } shared
            && shared.Items[0].GetSequence(sequence) is { Items.Count: > 0 } common)
            return common.Items[0];
        return null;
    }
}
