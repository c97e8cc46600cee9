using Mira.Imaging;
using Mira.Imaging.Nifti;

namespace Mira.Conversion.Nifti;

/// <summary>
/// A NIfTI file checked for conversion from its header alone, before any voxel is read: readable, a voxel grid (not
/// CIFTI), a datatype DICOM can hold exactly, at most 4 dimensions, within <see cref="ConversionLimits"/>, and for a
/// .hdr its .img present. Every refusal is a <see cref="ConversionException"/> naming the file.
/// </summary>
internal sealed class NiftiSource
{
    NiftiSource(string path, NiftiHeader header, string? imagePath, SlicePlanes planes)
    {
        Path = path;
        Header = header;
        ImagePath = imagePath;
        Planes = planes;
        Nx = (int)header.Dim[1];
        Ny = header.Rank >= 2 ? (int)header.Dim[2] : 1;
        Nz = header.Rank >= 3 ? (int)header.Dim[3] : 1;
        Nt = header.Rank >= 4 ? (int)header.Dim[4] : 1;
    }

    public string Path { get; }
    public string Name => System.IO.Path.GetFileName(Path);
    public NiftiHeader Header { get; }

    /// <summary>The .img of a pair, null for a single file.</summary>
    public string? ImagePath { get; }
    public SlicePlanes Planes { get; }
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public int Nt { get; }

    /// <summary>CIFTI-2 intent codes (cifti-2 specification, NIFTI_INTENT_CONNECTIVITY_*: 3001–3099).</summary>
    static bool IsCifti(short intent) => intent is >= 3000 and <= 3099;

    public static NiftiSource Open(string path, ConversionLimits limits)
    {
        var name = System.IO.Path.GetFileName(path);
        NiftiHeader h;
        try { h = NiftiFile.ReadHeader(path).Header; }
        catch (ImagingException e) { throw new ConversionException($"{name}: not a readable NIfTI header: {e.Message}", e); }
        if (IsCifti(h.IntentCode))
            throw new ConversionException($"{name}: CIFTI-2 (intent code {h.IntentCode}{(h.IntentName.Length > 0 ? " " + h.IntentName : "")}) is a matrix over grayordinates or parcels, not a voxel grid in the patient: it has no DICOM image form and is refused");
        if (NiftiHeader.BitsOf(h.DataType) == 0 || h.DataType is NiftiDataType.Binary or NiftiDataType.Rgb24 or NiftiDataType.Rgba32
            or NiftiDataType.Complex64 or NiftiDataType.Complex128 or NiftiDataType.Complex256 or NiftiDataType.Float128)
            throw new ConversionException($"{name}: datatype {(int)h.DataType} ({h.DataType.ToString().ToUpperInvariant()}) has no DICOM image encoding that keeps every value exactly (greyscale integers up to 16 bits, 32- and 64-bit floats); refused rather than changed");
        for (var d = 5; d <= h.Rank; d++)
            if (h.Dim[d] != 1) throw new ConversionException($"{name}: dim[{d}] is {h.Dim[d]}: only 3D volumes and 4D series of volumes (dim[4] time points) become a DICOM series");
        string? image = null;
        if (!h.SingleFile)
        {
            image = NiftiFile.PairImagePath(path)
                ?? throw new ConversionException($"{name}: a header-only .hdr (magic {h.Magic}): the .img holding its voxels is not beside it; give the pair together");
        }
        var len = h.DataLength;
        if (len > limits.MaxVolumeBytes) throw new ConversionException($"{name}: the voxel array is {len} bytes, over the limit of {limits.MaxVolumeBytes} bytes");
        var planes = (long)h.Dim[1] * (h.Rank >= 2 ? h.Dim[2] : 1) * NiftiHeader.BitsOf(h.DataType) / 8;
        if (planes > limits.MaxFrameBytes) throw new ConversionException($"{name}: one slice is {planes} bytes, over the limit of {limits.MaxFrameBytes} bytes");
        var frames = (h.Rank >= 3 ? h.Dim[3] : 1) * (h.Rank >= 4 ? h.Dim[4] : 1);
        if (frames > limits.MaxFrames) throw new ConversionException($"{name}: {frames} slices, over the limit of {limits.MaxFrames}");
        if (h.Dim[1] > ushort.MaxValue || (h.Rank >= 2 && h.Dim[2] > ushort.MaxValue))
            throw new ConversionException($"{name}: a slice of {h.Dim[1]} x {h.Dim[2]} voxels is larger than DICOM Rows and Columns (at most 65535) allow");
        return new NiftiSource(path, h, image, SlicePlanes.From(NiftiVolumes.GeometryOf(h), name));
    }

    /// <summary>The SHA-256 the UIDs derive from: the file's, or for a pair the header's and the image's together.</summary>
    public string Sha256() => ImagePath is null ? ConversionUids.HashFile(Path) : ConversionUids.HashFile(Path) + ":" + ConversionUids.HashFile(ImagePath);

    /// <summary>The stored voxels (unscaled, little-endian, i fastest).</summary>
    public byte[] ReadVoxels()
    {
        try { return NiftiFile.Read(Path).Data!; }
        catch (ImagingException e) { throw new ConversionException($"{Name}: {e.Message}", e); }
    }

    /// <summary>The Series Description: the header's descrip, else the file name without its extension.</summary>
    public string Description
    {
        get
        {
            var d = new string(Header.Descrip.Where(c => c >= ' ' && c != '\\' && c < 0x7F).ToArray()).Trim();
            if (d.Length > 0) return DicomAttributes.Lo(d);
            var n = Name;
            foreach (var ext in new[] { ".nii.gz", ".nii", ".hdr.gz", ".hdr" })
                if (n.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) { n = n[..^ext.Length]; break; }
            return DicomAttributes.Lo(n);
        }
    }
}
