using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.Codecs.Jpeg;
using Mira.Dicom.Codecs.JpegLs;
using Mira.Dicom.Codecs.Rle;
using Mira.Dicom.IO;

namespace Mira.Conversion.Slides;

/// <summary>
/// One level of a converted slide read back: a VL Whole Slide Microscopy Image with TILED_FULL frames, its total
/// pixel matrix, and its frames decoded one at a time (YCbCr JPEG as RGB). For export and for checking conversions.
/// </summary>
public sealed class SlideLevelReader
{
    static readonly CodecRegistry Codecs = new([new JpegCodec(JpegColorOutput.ConvertYbrToRgb), new JpegLsCodec(), new RleCodec()]);

    readonly PixelData pixels;

    SlideLevelReader(DicomDataset ds, PixelData pixels)
    {
        this.pixels = pixels;
        Dataset = ds;
        TotalColumns = (long)(ds.GetDouble(DicomTags.TotalPixelMatrixColumns) ?? pixels.Format.Columns);
        TotalRows = (long)(ds.GetDouble(DicomTags.TotalPixelMatrixRows) ?? pixels.Format.Rows);
        TilesAcross = (int)((TotalColumns + FrameColumns - 1) / FrameColumns);
        TilesDown = (int)((TotalRows + FrameRows - 1) / FrameRows);
        if ((long)TilesAcross * TilesDown != pixels.FrameCount)
            throw new ConversionException($"{TotalColumns} x {TotalRows} pixels in {FrameColumns} x {FrameRows} tiles need {(long)TilesAcross * TilesDown} frames; the object has {pixels.FrameCount}");
    }

    public DicomDataset Dataset { get; }
    public long TotalColumns { get; }
    public long TotalRows { get; }
    public int FrameColumns => pixels.Format.Columns;
    public int FrameRows => pixels.Format.Rows;
    public int Samples => pixels.Format.SamplesPerPixel;
    public int BytesPerSample => pixels.Format.BytesPerSample;
    public int TilesAcross { get; }
    public int TilesDown { get; }
    public int FrameCount => pixels.FrameCount;

    /// <summary>The TIFF orientation (1–8) the Image Orientation (Slide) expresses.</summary>
    public int Orientation => SlideGeometry.TiffOrientation(Dataset.GetDoubles(DicomTags.ImageOrientationSlide));

    /// <summary>Pixel spacing (row, column) in mm from the shared Pixel Measures, or null.</summary>
    public (double Row, double Column)? Spacing =>
        Dataset.GetSequence(DicomTags.SharedFunctionalGroupsSequence)?.Items.FirstOrDefault()?.GetSequence(DicomTags.PixelMeasuresSequence)?.Items.FirstOrDefault()
            ?.GetDoubles(DicomTags.PixelSpacing) is { Length: 2 } s ? (s[0], s[1]) : null;

    public static SlideLevelReader Open(string dicomPath)
    {
        var file = DicomFile.Open(dicomPath);
        var ds = file.Dataset;
        if (ds.GetString(DicomTags.SOPClassUID) != SlideHeader.SopClassUid)
            throw new ConversionException($"{Path.GetFileName(dicomPath)}: not a VL Whole Slide Microscopy Image");
        if (ds.GetString(DicomTags.DimensionOrganizationType) is { } type && type != "TILED_FULL")
            throw new ConversionException($"{Path.GetFileName(dicomPath)}: dimension organization {type} (TILED_FULL supported)");
        try { return new SlideLevelReader(ds, PixelData.Open(file, Codecs)); }
        catch (DicomCodecException e) { throw new ConversionException($"{Path.GetFileName(dicomPath)}: {e.Message}", e); }
    }

    /// <summary>Frame <paramref name="index"/> decoded: FrameColumns × FrameRows pixels, samples interleaved, RGB for colour.</summary>
    public byte[] DecodeFrame(int index) => pixels.DecodeFrame(index);
}
