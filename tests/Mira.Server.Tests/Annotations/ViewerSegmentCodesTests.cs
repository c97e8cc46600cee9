using Mira.Annotations.Protocols;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Values;
using Mira.Server.Viewer;

namespace Mira.Server.Tests.Annotations;

/// <summary>
/// The viewer's SEG segments (OHIF writes the placeholder (T-D0050, SRT, "Tissue") for every segment) are taken as the
/// protocol label the annotator named them after; other codes are left for the protocol check; an unknown name is refused.
/// </summary>
public sealed class ViewerSegmentCodesTests
{
    static readonly Protocol Glioma = BuiltInProtocols.Find("glioma-brats") ?? throw new InvalidOperationException("no glioma-brats protocol");
    static readonly byte[] Pixels = [.. Enumerable.Range(0, 16).Select(i => (byte)(i % 3))];

    static DicomDataset Code(string value, string scheme, string meaning) => new DicomDataset()
        .Set(DicomTags.CodeValue, value).Set(DicomTags.CodingSchemeDesignator, scheme).Set(DicomTags.CodeMeaning, meaning);

    static DicomDataset Segment(int number, string label, DicomDataset category, DicomDataset type) => new DicomDataset()
        .Set(Us(DicomTags.SegmentNumber, number))
        .Set(DicomTags.SegmentLabel, label)
        .Set(new DicomSequence(DicomTags.SegmentedPropertyCategoryCodeSequence, [category]))
        .Set(new DicomSequence(DicomTags.SegmentedPropertyTypeCodeSequence, [type]));

    static DicomElement Us(DicomTag tag, int value) => new(tag, DicomVR.US, DicomBinary.ToBytes<ushort>([(ushort)value]));

    static DicomDataset Placeholder => Code("T-D0050", "SRT", "Tissue");

    /// <summary>A Label Map SEG as OHIF writes one (4 × 4 pixels, one frame), with the given segments.</summary>
    static byte[] Seg(params DicomDataset[] segments)
    {
        var ds = new DicomDataset()
            .Set(DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.66.7")
            .Set(DicomTags.SOPInstanceUID, Dicomweb.Uid())
            .Set(DicomTags.StudyInstanceUID, Dicomweb.Uid())
            .Set(DicomTags.SeriesInstanceUID, Dicomweb.Uid())
            .Set(DicomTags.Modality, "SEG")
            .Set(DicomTags.SegmentationType, "LABELMAP")
            .Set(Us(DicomTags.Rows, 4)).Set(Us(DicomTags.Columns, 4))
            .Set(Us(DicomTags.BitsAllocated, 8)).Set(Us(DicomTags.BitsStored, 8)).Set(Us(DicomTags.HighBit, 7))
            .Set(Us(DicomTags.SamplesPerPixel, 1)).Set(DicomTags.PhotometricInterpretation, "MONOCHROME2")
            .Set(DicomTags.NumberOfFrames, "1")
            .Set(new DicomSequence(DicomTags.SegmentSequence, segments))
            .Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, Pixels));
        return DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian);
    }

    static (string Category, string Type) CodesOf(DicomDataset segment) =>
        (segment.GetSequence(DicomTags.SegmentedPropertyCategoryCodeSequence)!.Items[0].GetString(DicomTags.CodeValue)!,
         segment.GetSequence(DicomTags.SegmentedPropertyTypeCodeSequence)!.Items[0].GetString(DicomTags.CodeValue)!);

    [Fact]
    public void A_placeholder_segment_named_after_a_label_or_its_display_name_gets_that_labels_codes_and_the_pixels_stay()
    {
        var resolved = DicomFile.Read(ViewerSegmentCodes.Resolve(Seg(Segment(1, "ET", Placeholder, Placeholder), Segment(2, " necrosis / non-enhancing tumour core (NCR)", Placeholder, Placeholder)), Glioma));
        var segments = resolved.Dataset.GetSequence(DicomTags.SegmentSequence)!.Items;
        var et = Glioma.LabelByName("ET")!;
        var netc = Glioma.LabelByName("NETC")!;
        Assert.Equal((et.Category.Code, et.Type.Code), CodesOf(segments[0]));
        Assert.Equal((netc.Category.Code, netc.Type.Code), CodesOf(segments[1]));
        Assert.Equal(et.Type.Scheme, segments[0].GetSequence(DicomTags.SegmentedPropertyTypeCodeSequence)!.Items[0].GetString(DicomTags.CodingSchemeDesignator));
        Assert.Equal(Pixels, resolved.Dataset.Find(DicomTags.PixelData)!.Bytes.ToArray());
        Assert.Equal("ET", segments[0].GetString(DicomTags.SegmentLabel));
    }

    [Fact]
    public void Segments_with_codes_of_their_own_are_left_as_they_are()
    {
        var seg = Seg(Segment(1, "anything", Code("49755003", "SCT", "Morphologically Abnormal Structure"), Code("108369006", "SCT", "Neoplasm")));
        Assert.Same(seg, ViewerSegmentCodes.Resolve(seg, Glioma));
    }

    [Fact]
    public void A_placeholder_segment_whose_name_is_no_label_of_the_protocol_is_refused_naming_the_labels()
    {
        var e = Assert.Throws<ViewerSegmentException>(() => ViewerSegmentCodes.Resolve(Seg(Segment(1, "Segment 1", Placeholder, Placeholder)), Glioma));
        Assert.Contains("segment 1 'Segment 1' is no label of protocol glioma-brats: name it NETC, SNFH, ET, RC", e.Message);
        Assert.Contains("placeholder code (T-D0050, SRT, \"Tissue\")", e.Message);
    }
}
