using System.Text.Json;

namespace Mira.Dicom.Tests.Generated;

public class DicomDictionaryGeneratedTests
{
    [Fact]
    public void Dictionary_holds_every_ps36_entry_plus_the_command_dictionary()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(StandardPaths.StandardDir, "attributes.json")));
        Assert.Equal(5129, doc.RootElement.GetArrayLength());
        Assert.Equal(5129, DicomDictionary.DataElementCount);
        Assert.Equal(46, DicomDictionary.CommandElementCount);
        Assert.Equal(5129 + 46, DicomDictionary.Entries.Count);
        Assert.Equal(46, DicomDictionary.Entries.Count(e => e.Tag.Group == 0x0000));
    }

    [Fact]
    public void Repeating_group_tag_finds_overlay_data()
    {
        var entry = DicomDictionary.Lookup(new DicomTag(0x60023000));
        Assert.NotNull(entry);
        Assert.Equal("OverlayData", entry.Keyword);
        Assert.Equal(0xFF00FFFFu, entry.Mask);
        Assert.Equal([DicomVR.OB, DicomVR.OW], entry.VRs);
    }

    [Fact]
    public void Repeating_element_digits_are_matched()
    {
        Assert.Equal("SourceImageIDs", DicomDictionary.Lookup(new DicomTag(0x002031A7))?.Keyword);
        Assert.Equal("RowsForNthOrderCoefficients", DicomDictionary.Lookup(new DicomTag(0x00280410))?.Keyword);
        Assert.Equal("EscapeTriplet", DicomDictionary.Lookup(new DicomTag(0x10001230))?.Keyword);
        // (0028,0400) is itself a PS3.6 entry; the exact tag wins over the (0028,04x0) repeating group.
        Assert.Equal("TransformLabel", DicomDictionary.Lookup(new DicomTag(0x00280400))?.Keyword);
    }

    [Fact]
    public void Patient_name_is_found_by_tag_and_keyword()
    {
        var byTag = DicomDictionary.Lookup(new DicomTag(0x00100010));
        Assert.NotNull(byTag);
        Assert.Equal("PatientName", byTag.Keyword);
        Assert.Equal("Patient's Name", byTag.Name);
        Assert.Equal(DicomVR.PN, byTag.VR);
        Assert.Equal("1", byTag.VM);
        Assert.Same(byTag, DicomDictionary.Lookup("PatientName"));
        Assert.Equal(DicomTags.PatientName, byTag.Tag);
    }

    [Fact]
    public void Command_elements_are_in_the_dictionary()
    {
        Assert.Equal(DicomVR.UL, DicomDictionary.Lookup(DicomTags.CommandGroupLength)?.VR);
        Assert.Equal(DicomVR.US, DicomDictionary.Lookup("CommandField")?.VR);
        Assert.Equal(new DicomTag(0x00001031), DicomDictionary.Lookup("MoveOriginatorMessageID")?.Tag);
        Assert.Equal("1-n", DicomDictionary.Lookup(DicomTags.OffendingElement)?.VM);
        Assert.True(DicomDictionary.Lookup(new DicomTag(0x000051B0))?.Retired);
    }

    [Fact]
    public void Retired_entries_are_present()
    {
        var lengthToEnd = DicomDictionary.Lookup(new DicomTag(0x00080001));
        Assert.NotNull(lengthToEnd);
        Assert.True(lengthToEnd.Retired);
        Assert.Equal(473 + 22, DicomDictionary.Entries.Count(e => e.Retired));
    }

    [Fact]
    public void Entries_without_keyword_or_vr_are_kept()
    {
        var blank = DicomDictionary.Lookup(new DicomTag(0x00080202));
        Assert.NotNull(blank);
        Assert.Equal("", blank.Keyword);
        Assert.Empty(blank.VRs);
        Assert.Equal(DicomVR.UN, blank.VR);
        Assert.Empty(DicomDictionary.Lookup(DicomTags.Item)!.VRs);
    }

    [Fact]
    public void Vr_alternatives_keep_the_standard_order()
    {
        Assert.Equal([DicomVR.US, DicomVR.SS], DicomDictionary.Lookup("ZeroVelocityPixelValue")!.VRs);
        Assert.Equal([DicomVR.OB, DicomVR.OW], DicomDictionary.Lookup("PixelData")!.VRs);
        Assert.Equal([DicomVR.US, DicomVR.SS, DicomVR.OW], DicomDictionary.Lookup("GrayLookupTableData")!.VRs);
    }

    [Fact]
    public void File_meta_elements_come_from_ps36()
    {
        Assert.Equal(DicomVR.UI, DicomDictionary.Lookup(new DicomTag(0x00020010))?.VR);
        Assert.Equal("TransferSyntaxUID", DicomDictionary.Lookup(new DicomTag(0x00020010))?.Keyword);
        Assert.Equal(DicomVR.OB, DicomDictionary.Lookup(DicomTags.FileMetaInformationVersion)?.VR);
    }
}
