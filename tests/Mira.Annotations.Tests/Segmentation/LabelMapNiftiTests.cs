using System.Text.Json;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Annotations.Segmentation;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;

namespace Mira.Annotations.Tests.Segmentation;

/// <summary>Reads as NIfTI label maps on the series' grid, compared with nibabel and with Mira's NIfTI of the images.</summary>
public sealed class LabelMapNiftiTests : IDisposable
{
    readonly MrSeries series = new();
    static Protocol Glioma => BuiltInProtocols.Find("glioma-brats")!;

    public void Dispose() => series.Dispose();

    /// <summary>nibabel: both affines, shapes, and per label value the voxel count and the SHA-256 of its mask as uint8 [slice, row, column].</summary>
    const string NibabelView = """
        import sys, json, hashlib, nibabel as nib, numpy as np
        img = nib.load(sys.argv[1]); lab = nib.load(sys.argv[2])
        d = np.asanyarray(lab.dataobj)
        out = {'image_affine': img.affine.tolist(), 'label_affine': lab.affine.tolist(), 'image_shape': list(img.shape), 'shape': list(d.shape), 'labels': {}}
        for v in np.unique(d):
            if v == 0: continue
            m = (d == v).astype(np.uint8).transpose(2, 1, 0)
            out['labels'][str(int(v))] = {'count': int(m.sum()), 'sha256': hashlib.sha256(np.ascontiguousarray(m).tobytes()).hexdigest()}
        print(json.dumps(out))
        """;

    [Fact]
    public void A_written_label_map_has_the_affine_of_mira_converts_nifti_of_the_series_and_nibabel_reads_our_voxels()
    {
        var read = series.Read();
        var labels = series.PathOf("labels.nii.gz");
        using (var f = File.Create(labels)) LabelMapNifti.Write(read, series.Grid, f, gzip: true);
        // The images as `mira convert SERIES image.nii.gz` writes them.
        var image = series.PathOf("image.nii.gz");
        NiftiVolumes.WriteVolume(image, DicomVolumeBuilder.FromPath(series.SeriesFolder).Single().Volume);

        var view = JsonDocument.Parse(MrSeries.Python(NibabelView, image, labels)).RootElement;
        Assert.Equal([MrSeries.Columns, MrSeries.Rows, MrSeries.Slices], view.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([MrSeries.Columns, MrSeries.Rows, MrSeries.Slices], view.GetProperty("image_shape").EnumerateArray().Select(e => e.GetInt32()));
        var imageAffine = view.GetProperty("image_affine").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(e => e.GetDouble()).ToArray();
        var labelAffine = view.GetProperty("label_affine").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(e => e.GetDouble()).ToArray();
        Assert.True(imageAffine.Zip(labelAffine, (a, b) => Math.Abs(a - b)).Max() <= 1e-4, $"label affine {string.Join(", ", labelAffine)} vs image {string.Join(", ", imageAffine)}");
        // And both are the geometry the series was made with (RAS+): (0.9, 1.1, 2.5) mm voxels, first at (-30, 12.5, 40) LPS.
        Assert.Equal(30, labelAffine[3], 1e-4);
        Assert.Equal(-12.5, labelAffine[7], 1e-4);
        Assert.Equal(40, labelAffine[11], 1e-4);
        Assert.Equal(0.9, Math.Sqrt(labelAffine[0] * labelAffine[0] + labelAffine[4] * labelAffine[4] + labelAffine[8] * labelAffine[8]), 1e-5);
        Assert.Equal(2.5, Math.Sqrt(labelAffine[2] * labelAffine[2] + labelAffine[6] * labelAffine[6] + labelAffine[10] * labelAffine[10]), 1e-5);

        var byValue = view.GetProperty("labels");
        Assert.Equal(3, byValue.EnumerateObject().Count());
        foreach (var value in read.Labels)
        {
            Assert.Equal(read.Count(value), byValue.GetProperty(value.ToString()).GetProperty("count").GetInt64());
            Assert.Equal(MrSeries.Digest(read[value]), byValue.GetProperty(value.ToString()).GetProperty("sha256").GetString());
        }

        Assert.True(LabelMapNifti.Read(labels, series.Grid, Glioma).SameAs(read));
    }

    [Fact]
    public void An_uncompressed_label_map_read_from_a_stream_equals_the_read()
    {
        var read = series.Read();
        using var buffer = new MemoryStream();
        LabelMapNifti.Write(read, series.Grid, buffer, gzip: false);
        buffer.Position = 0;
        Assert.True(LabelMapNifti.Read(buffer, series.Grid, Glioma).SameAs(read));
    }

    [Fact]
    public void One_mask_per_label_is_written_for_overlapping_labels_and_a_single_label_map_is_refused()
    {
        var read = series.Read();
        read.Set(3, read[1].ToArray());
        using var buffer = new MemoryStream();
        Assert.Throws<AnnotationException>(() => LabelMapNifti.Write(read, series.Grid, buffer, gzip: false));
        using var et = new MemoryStream();
        LabelMapNifti.WriteMask(read[3], series.Grid, et, gzip: true, "ET");
        et.Position = 0;
        // A 0/1 mask reads as label value 1 of the protocol.
        Assert.Equal(read[3], LabelMapNifti.Read(et, series.Grid, Glioma)[1]);
    }

    static MemoryStream Nifti(Volume volume)
    {
        var s = new MemoryStream();
        NiftiFile.Write(s, NiftiVolumes.FromVolume(volume), gzip: false);
        s.Position = 0;
        return s;
    }

    [Fact]
    public void A_label_map_shifted_off_the_series_is_refused_saying_where_its_first_voxel_lies()
    {
        var g = series.Grid.Geometry;
        var shifted = new VolumeGeometry([g.Origin[0] + 0.3, g.Origin[1], g.Origin[2] + 0.4], g.Spacing, g.Direction);
        using var s = Nifti(Volume.Create([MrSeries.Columns, MrSeries.Rows, MrSeries.Slices], VoxelType.UInt8, shifted));
        var e = Assert.Throws<AnnotationException>(() => LabelMapNifti.Read(s, series.Grid, Glioma, "shifted.nii"));
        Assert.Contains("shifted.nii: the label map's affine is not the series'", e.Message, StringComparison.Ordinal);
        Assert.Contains("0.5 mm apart", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_map_of_another_size_is_refused()
    {
        using var s = Nifti(Volume.Create([MrSeries.Columns, MrSeries.Rows, MrSeries.Slices - 1], VoxelType.UInt8, series.Grid.Geometry));
        var e = Assert.Throws<AnnotationException>(() => LabelMapNifti.Read(s, series.Grid, Glioma));
        Assert.Contains("20 x 16 x 5 voxels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_that_is_not_a_protocol_label_is_refused_naming_the_voxel()
    {
        var v = Volume.Create([MrSeries.Columns, MrSeries.Rows, MrSeries.Slices], VoxelType.UInt8, series.Grid.Geometry);
        v.SetValue(3 + MrSeries.Columns * (2 + MrSeries.Rows * 4), 9);
        using var s = Nifti(v);
        var e = Assert.Throws<AnnotationException>(() => LabelMapNifti.Read(s, series.Grid, Glioma));
        Assert.Contains("voxel (column 3, row 2, slice 4) holds 9", e.Message, StringComparison.Ordinal);
    }
}
