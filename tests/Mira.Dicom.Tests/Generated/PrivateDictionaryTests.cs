using Mira.StandardGen;

namespace Mira.Dicom.Tests.Generated;

public class PrivateDictionaryTests
{
    [Fact]
    public void Siemens_mr_header_image_type_is_cs()
    {
        var e = PrivateDictionary.Lookup("SIEMENS MR HEADER", new DicomTag(0x00191008));
        Assert.NotNull(e);
        Assert.Equal(DicomVR.CS, e.VR);
        Assert.Equal("SIEMENS MR HEADER", e.Creator);
        Assert.Equal((ushort)0x0019, e.Group);
        Assert.Equal((byte)0x08, e.Element);
    }

    [Fact]
    public void Siemens_csa_image_header_info_is_ob()
    {
        var e = PrivateDictionary.Lookup("SIEMENS CSA HEADER", new DicomTag(0x00291010));
        Assert.NotNull(e);
        Assert.Equal(DicomVR.OB, e.VR);
        Assert.Equal("CSA Image Header Info", e.Name);
    }

    [Fact]
    public void Element_matches_whatever_block_the_creator_reserved()
    {
        // Creator at (0019,0011) reserves block 0x11: element (0019,1108) is the creator's xx08.
        Assert.Equal(DicomVR.CS, PrivateDictionary.Lookup("SIEMENS MR HEADER", new DicomTag(0x00191108))?.VR);
        Assert.Equal(DicomVR.OB, PrivateDictionary.Lookup("SIEMENS CSA HEADER", new DicomTag(0x0029FF10))?.VR);
        // Another group does not match.
        Assert.Null(PrivateDictionary.Lookup("SIEMENS MR HEADER", new DicomTag(0x00211008)));
    }

    [Fact]
    public void Creator_padding_is_ignored_and_unknown_creators_give_null()
    {
        Assert.Equal(DicomVR.CS, PrivateDictionary.Lookup("SIEMENS MR HEADER ", new DicomTag(0x00191008))?.VR);
        Assert.Null(PrivateDictionary.Lookup("NO SUCH CREATOR", new DicomTag(0x00191008)));
        Assert.Null(PrivateDictionary.Lookup("", new DicomTag(0x00191008)));
    }

    [Fact]
    public void Wildcard_groups_match_any_group_of_the_range()
    {
        var e = PrivateDictionary.Lookup("PAPYRUS 3.0", new DicomTag(0x60011000));
        Assert.NotNull(e);
        Assert.Equal("Overlay ID", e.Name);
        Assert.Equal(DicomVR.IS, e.VR);
        Assert.Equal((ushort)0xFF00, e.GroupMask);
        Assert.Same(e, PrivateDictionary.Lookup("PAPYRUS 3.0", new DicomTag(0x60151200)));
        Assert.Null(PrivateDictionary.Lookup("PAPYRUS 3.0", new DicomTag(0x61011000)));
    }

    [Fact]
    public void Text_escapes_of_the_table_are_decoded()
    {
        Assert.Equal("Image Type (ORIGINAL\\PROSPECTIVE ...)", PrivateDictionary.Lookup("GEMS_IDEN_01", new DicomTag(0x000910E2))?.Name);
        Assert.Equal("Exposure in \u00B5As", DicomDictionary.Lookup("ExposureInuAs")?.Name);
    }

    [Fact]
    public void Dictionary_holds_the_whole_table()
    {
        Assert.True(PrivateDictionary.Count > 5000, $"only {PrivateDictionary.Count} entries");
        Assert.Equal(PrivateDictionary.GeneratedCount, PrivateDictionary.Count);
        Assert.Equal(PrivateDictionary.Count, PrivateDictionary.Entries.Count);
        Assert.Equal(StandardTables.ReadPrivate().Count, PrivateDictionary.Count);
        Assert.All(PrivateDictionary.Entries, e => Assert.True(DicomVRInfo.IsKnown(e.VR), $"{e.Creator} {e.Name}: {e.VR}"));
    }
}
