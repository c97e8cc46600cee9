using Mira.Annotations.Reads;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Testing;

namespace Mira.Annotations.Tests.Segmentation;

public sealed class ImageGridTests : IDisposable
{
    readonly MrSeries series = new();

    public void Dispose() => series.Dispose();

    [Fact]
    public void Slices_are_sorted_along_the_normal_whatever_order_the_instances_come_in()
    {
        var grid = series.Grid;
        Assert.Equal((20, 16, 6), (grid.Columns, grid.Rows, grid.SliceCount));
        Assert.Equal(0.9, grid.ColumnSpacing, 1e-6);
        Assert.Equal(1.1, grid.RowSpacing, 1e-6);
        Assert.Equal(2.5, grid.SliceSpacing, 1e-4);
        Assert.True(grid.UniformSpacing && grid.OnNormal);
        var normal = new[] { grid.Orientation![1] * grid.Orientation[5] - grid.Orientation[2] * grid.Orientation[4], grid.Orientation[2] * grid.Orientation[3] - grid.Orientation[0] * grid.Orientation[5], grid.Orientation[0] * grid.Orientation[4] - grid.Orientation[1] * grid.Orientation[3] };
        var along = grid.Positions.Select(p => p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2]).ToList();
        Assert.Equal(along.Order(), along);
        Assert.Equal(grid.Slices.Select(s => s.Position![0]), grid.Instances.Select(i => i.GetDoubles(DicomTags.ImagePositionPatient)[0]));
        Assert.Equal(series.Headers[0].GetString(DicomTags.SeriesInstanceUID), grid.SeriesInstanceUid);
        Assert.Equal(3, grid.SliceOf(grid.Slices[3].SopInstanceUid));
        Assert.Equal(4, grid.SliceAt(grid.Slices[4].Position!));
        Assert.Equal(grid.SliceLength * 6, grid.NewMasks().Length);
        // The geometry the series was made with.
        Assert.Equal([-30, 12.5, 40], grid.Geometry.Origin.Select(v => Math.Round(v, 4)));
    }

    [Fact]
    public void Instances_of_two_series_are_refused()
    {
        series.Headers[2].Set(DicomTags.SeriesInstanceUID, "2.25.77");
        var e = Assert.Throws<AnnotationException>(() => ImageGrid.FromSeries(series.Headers));
        Assert.Contains("not one series", e.Message, StringComparison.Ordinal);
        Assert.Contains("2.25.77", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Images_of_another_matrix_or_two_at_one_position_are_refused()
    {
        var headers = series.Headers;
        headers[1].Set(Conversion.DicomAttributes.US(DicomTags.Rows, 17));
        Assert.Contains("20 x 17", Assert.Throws<AnnotationException>(() => ImageGrid.FromSeries(headers)).Message, StringComparison.Ordinal);
        headers[1].Set(Conversion.DicomAttributes.US(DicomTags.Rows, 16));
        headers[1].Set(DicomTags.ImagePositionPatient, headers[2].GetStrings(DicomTags.ImagePositionPatient));
        Assert.Contains("two slices lie at one position", Assert.Throws<AnnotationException>(() => ImageGrid.FromSeries(headers)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_photograph_is_one_slice_without_patient_geometry()
    {
        var ds = new DicomDataset()
            .Set(DicomTags.SOPClassUID, DicomUids.VLPhotographicImageStorage).Set(DicomTags.SOPInstanceUID, "2.25.11")
            .Set(DicomTags.StudyInstanceUID, "2.25.12").Set(DicomTags.SeriesInstanceUID, "2.25.13")
            .Set(Conversion.DicomAttributes.US(DicomTags.Rows, 400)).Set(Conversion.DicomAttributes.US(DicomTags.Columns, 600));
        var grid = ImageGrid.FromSeries([ds]);
        Assert.Equal(1, grid.SliceCount);
        Assert.False(grid.HasPatientGeometry);
        Assert.Equal((600, 400), (grid.Columns, grid.Rows));
        Assert.Null(grid.FrameOfReferenceUid);
        Assert.Throws<AnnotationException>(() => grid.Geometry);
    }

    [Fact]
    public void A_multi_frame_image_is_a_grid_of_its_frames()
    {
        var ds = DicomFile.Open(Corpus.Get("dicom/modality/MR/siemens_xa10_enhanced_6_1.dcm").FullPath, new DicomReadOptions { StopBeforePixelData = true }).Dataset;
        var grid = ImageGrid.FromSeries([ds]);
        Assert.Equal(6, grid.SliceCount);
        Assert.Equal(2.4, grid.SliceSpacing, 1e-3);
        Assert.All(grid.Slices, s => Assert.Equal(ds.GetString(DicomTags.SOPInstanceUID), s.SopInstanceUid));
        Assert.Equal([1, 2, 3, 4, 5, 6], grid.Slices.Select(s => s.Frame));
        Assert.Equal(2, grid.SliceOf(grid.Slices[2].SopInstanceUid, 3));
    }
}
