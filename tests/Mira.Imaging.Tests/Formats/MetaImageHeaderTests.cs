using System.Text;
using Mira.Imaging.MetaImage;
using Mira.Imaging.Volumes;

namespace Mira.Imaging.Tests.Formats;

/// <summary>The one MetaImage header reader: keys in order, where the data start, the layout it describes.</summary>
public sealed class MetaImageHeaderTests
{
    static MetaImageHeader Read(string text, out Stream stream)
    {
        stream = new MemoryStream(Encoding.ASCII.GetBytes(text));
        return MetaImageHeader.Read(stream, "t.mha");
    }

    [Fact]
    public void The_header_ends_after_ElementDataFile_where_LOCAL_data_begin()
    {
        const string text = "ObjectType = Image\r\nNDims = 3\nDimSize = 2 3 4\nElementType = MET_SHORT\nElementSpacing = 1 2 3\nElementDataFile = LOCAL\n";
        var h = Read(text + "\u0001\u0002", out var stream);
        Assert.Equal(text.Length, h.DataOffset);
        Assert.Equal(text.Length, stream.Position);
        Assert.True(h.IsLocal);
        Assert.Equal(["ObjectType", "NDims", "DimSize", "ElementType", "ElementSpacing", "ElementDataFile"], h.Entries.Select(e => e.Key));
        var layout = h.Interpret();
        Assert.Equal((3, VoxelType.Int16, 2L * 3 * 4 * 2), (layout.NDims, layout.Type, layout.DataLength));
        Assert.Equal([1.0, 2, 3], layout.Spacing);
    }

    [Fact]
    public void A_key_given_twice_is_kept_twice_in_order_and_last_in_the_keys()
    {
        var h = Read("NDims = 2\nNDims = 3\nElementDataFile = a.raw\n", out _);
        Assert.Equal(3, h.Entries.Count);
        Assert.Equal("3", h.Keys["ndims"]);
        Assert.False(h.IsLocal);
    }

    [Fact]
    public void A_list_of_files_follows_ElementDataFile_LIST()
    {
        var h = Read("NDims = 3\nElementDataFile = LIST 2D\ns1.raw\n\ns2.raw\n", out _);
        Assert.Equal(["s1.raw", "s2.raw"], h.ListFiles);
    }

    [Fact]
    public void Refusals_name_the_file()
    {
        Assert.Equal("t.mha: no ElementDataFile key", Assert.Throws<ImagingException>(() => Read("NDims = 3\n", out _)).Message);
        Assert.StartsWith("t.mha: header line \"garbage\" is not KEY = VALUE", Assert.Throws<ImagingException>(() => Read("garbage\n", out _)).Message);
        var noType = Read("NDims = 3\nDimSize = 1 1 1\nElementDataFile = LOCAL\n", out _);
        Assert.Equal("t.mha: no ElementType", Assert.Throws<ImagingException>(noType.Interpret).Message);
        var badChannels = Read("NDims = 3\nDimSize = 1 1 1\nElementNumberOfChannels = x\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n", out _);
        Assert.Contains("ElementNumberOfChannels is missing or not an integer", Assert.Throws<ImagingException>(badChannels.Interpret).Message);
    }

    [Theory]
    [InlineData("ObjectType = Image\nNDims = 3\n", true)]
    [InlineData("\n\nNDims = 3\n", true)]
    [InlineData("Comment = made by hand\n", true)]
    [InlineData("Colour = red\n", false)]
    [InlineData("NDims 3\n", false)]
    [InlineData("", false)]
    public void A_header_is_recognised_by_its_first_line(string text, bool expected) =>
        Assert.Equal(expected, MetaImageHeader.Probe(Encoding.ASCII.GetBytes(text)));
}
