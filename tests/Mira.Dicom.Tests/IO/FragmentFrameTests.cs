namespace Mira.Dicom.Tests.IO;

/// <summary>Frames from encapsulated Pixel Data (PS3.5 §A.4): offset tables and the fallbacks without one.</summary>
public class FragmentFrameTests
{
    static DicomFragment F(params byte[] b) => new(b);

    static readonly DicomFragment[] fragments = [F(0xFF, 0xD8, 1, 2), F(3, 4), F(0xFF, 0xD8, 5, 6), F(7, 8, 9, 10)];

    [Fact]
    public void Basic_offset_table_groups_fragments_into_frames()
    {
        // Offsets count item headers (8 bytes each): frame 2 starts at the third fragment, 8+4 + 8+2 = 22.
        var px = new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [0, 22], fragments);
        var frames = px.GetFrames(2);
        Assert.Equal(new byte[] { 0xFF, 0xD8, 1, 2, 3, 4 }, frames[0].ToArray());
        Assert.Equal(new byte[] { 0xFF, 0xD8, 5, 6, 7, 8, 9, 10 }, frames[1].ToArray());
    }

    [Fact]
    public void Extended_offset_table_gives_frames_by_offset_and_length()
    {
        var px = new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [], fragments);
        var frames = px.GetFrames(2, [0, 6], [6, 8]);
        Assert.Equal(6, frames[0].Length);
        Assert.Equal(new byte[] { 0xFF, 0xD8, 5, 6, 7, 8, 9, 10 }, frames[1].ToArray());
    }

    [Fact]
    public void Without_offset_table_frame_starts_are_found_by_their_markers()
    {
        var px = new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [], fragments);
        var frames = px.GetFrames(2);
        Assert.Equal(2, frames.Count);
        Assert.Equal(8, frames[1].Length);
    }

    [Fact]
    public void One_fragment_per_frame_and_one_frame_of_all_fragments()
    {
        var px = new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [], fragments);
        Assert.Equal(4, px.GetFrames(4).Count);
        Assert.Equal(14, Assert.Single(px.GetFrames(1)).Length);
    }

    [Fact]
    public void Offset_table_that_points_between_fragments_is_an_error()
    {
        var px = new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [0, 5], fragments);
        Assert.Throws<DicomFormatException>(() => px.GetFrames(2));
    }
}
