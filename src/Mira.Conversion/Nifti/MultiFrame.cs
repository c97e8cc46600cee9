using Mira.Dicom;
using static Mira.Conversion.DicomAttributes;

namespace Mira.Conversion.Nifti;

/// <summary>
/// The Multi-frame Functional Groups (PS3.3 §C.7.6.16) and Multi-frame Dimension (§C.7.6.17) parts that Parametric
/// Maps and Segmentations made here share: Pixel Measures and Plane Orientation shared, Plane Position and Frame
/// Content (with its Dimension Index Values) per frame.
/// </summary>
public static class MultiFrame
{
    internal static DicomDataset PixelMeasures(SlicePlanes planes) => new DicomDataset()
        .Set(DicomTags.SliceThickness, Ds(planes.SliceGap))
        .Set(DicomTags.SpacingBetweenSlices, Ds(planes.SliceGap))
        .Set(DicomTags.PixelSpacing, Ds(planes.PixelSpacing));

    internal static DicomDataset PlaneOrientation(SlicePlanes planes) => new DicomDataset()
        .Set(DicomTags.ImageOrientationPatient, Ds(planes.Orientation));

    internal static DicomDataset PlanePosition(SlicePlanes planes, int k) => new DicomDataset()
        .Set(DicomTags.ImagePositionPatient, Ds(planes.Position(k)));

    /// <summary>Frame Content with the frame's index along each dimension (1-based).</summary>
    public static DicomDataset FrameContent(params uint[] indices) => new DicomDataset().Set(UL(DicomTags.DimensionIndexValues, indices));

    /// <summary>
    /// One Dimension Organization and its Dimension Index Sequence items (index pointer, functional group pointer,
    /// description), PS3.3 §C.7.6.17.
    /// </summary>
    public static void Dimensions(DicomDataset ds, string organizationUid, params (DicomTag Index, DicomTag Group, string Label)[] dimensions)
    {
        ds.Set(Sequence(DicomTags.DimensionOrganizationSequence, new DicomDataset().Set(DicomTags.DimensionOrganizationUID, organizationUid)));
        ds.Set(Sequence(DicomTags.DimensionIndexSequence, dimensions.Select(d => new DicomDataset()
            .Set(DicomTags.DimensionOrganizationUID, organizationUid)
            .Set(AT(DicomTags.DimensionIndexPointer, d.Index))
            .Set(AT(DicomTags.FunctionalGroupPointer, d.Group))
            .Set(DicomTags.DimensionDescriptionLabel, d.Label)).ToArray()));
    }
}
