namespace Mira.Imaging.Nifti;

/// <summary>NIfTI datatype codes (nifti1.h NIFTI_TYPE_*; the same in NIfTI-2).</summary>
public enum NiftiDataType : short
{
    Unknown = 0,
    Binary = 1,
    UInt8 = 2,
    Int16 = 4,
    Int32 = 8,
    Float32 = 16,
    Complex64 = 32,
    Float64 = 64,
    Rgb24 = 128,
    Int8 = 256,
    UInt16 = 512,
    UInt32 = 768,
    Int64 = 1024,
    UInt64 = 1280,
    Float128 = 1536,
    Complex128 = 1792,
    Complex256 = 2048,
    Rgba32 = 2304,
}

/// <summary>
/// Every field of a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header, held at NIfTI-2 width (64-bit dims and
/// offsets, double floats). Field names follow nifti1.h / nifti2.h. Fields that exist only in one version
/// (NIfTI-1's ANALYZE leftovers data_type, db_name, extents, session_error, regular, glmax, glmin; NIfTI-2's
/// unused_str) are kept and written only for that version. Text fields hold the raw bytes as Latin-1 with
/// trailing NULs removed (so an embedded NUL, which some writers leave, is kept).
/// </summary>
public sealed class NiftiHeader
{
    /// <summary>1 or 2.</summary>
    public int Version { get; set; } = 1;
    /// <summary>True for a single file (magic "n+1"/"n+2"), false for a .hdr/.img pair ("ni1"/"ni2").</summary>
    public bool SingleFile { get; set; } = true;
    /// <summary>True when the file was big-endian (reading only; writing is always little-endian).</summary>
    public bool BigEndian { get; set; }

    public int SizeOfHdr => Version == 1 ? 348 : 540;

    // ANALYZE 7.5 leftovers (NIfTI-1 only)
    public string DataTypeText { get; set; } = "";
    public string DbName { get; set; } = "";
    public int Extents { get; set; }
    public short SessionError { get; set; }
    public byte Regular { get; set; }
    public int GlMax { get; set; }
    public int GlMin { get; set; }
    // NIfTI-2 only
    public string UnusedStr { get; set; } = "";

    public byte DimInfo { get; set; }
    /// <summary>dim[0] = number of dimensions, dim[1..7] = extents.</summary>
    public long[] Dim { get; set; } = [3, 1, 1, 1, 1, 1, 1, 1];
    public double IntentP1 { get; set; }
    public double IntentP2 { get; set; }
    public double IntentP3 { get; set; }
    public short IntentCode { get; set; }
    public NiftiDataType DataType { get; set; } = NiftiDataType.UInt8;
    public short BitPix { get; set; } = 8;
    public long SliceStart { get; set; }
    /// <summary>pixdim[0] = qfac (±1; 0 read as 1), pixdim[1..7] = grid spacings.</summary>
    public double[] PixDim { get; set; } = [1, 1, 1, 1, 1, 1, 1, 1];
    public double VoxOffset { get; set; }
    public double SclSlope { get; set; }
    public double SclInter { get; set; }
    public long SliceEnd { get; set; }
    public byte SliceCode { get; set; }
    public byte XyztUnits { get; set; }
    public double CalMax { get; set; }
    public double CalMin { get; set; }
    public double SliceDuration { get; set; }
    public double TOffset { get; set; }
    public string Descrip { get; set; } = "";
    public string AuxFile { get; set; } = "";
    public short QformCode { get; set; }
    public short SformCode { get; set; }
    public double QuaternB { get; set; }
    public double QuaternC { get; set; }
    public double QuaternD { get; set; }
    public double QOffsetX { get; set; }
    public double QOffsetY { get; set; }
    public double QOffsetZ { get; set; }
    public double[] SrowX { get; set; } = [1, 0, 0, 0];
    public double[] SrowY { get; set; } = [0, 1, 0, 0];
    public double[] SrowZ { get; set; } = [0, 0, 1, 0];
    public string IntentName { get; set; } = "";

    /// <summary>The magic string without its NULs: "n+1", "ni1", "n+2" or "ni2".</summary>
    public string Magic => (SingleFile ? "n+" : "ni") + Version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>NIfTI-2's eol_check bytes after the magic (CR LF SUB LF), detecting text-mode corruption.</summary>
    public byte[] EolCheck { get; set; } = [13, 10, 26, 10];

    /// <summary>The number of dimensions (dim[0], 1..7).</summary>
    public int Rank => (int)Dim[0];

    /// <summary>dim[1..dim[0]].</summary>
    public long[] Shape => Dim[1..(Rank + 1)];

    public long VoxelCount
    {
        get
        {
            long n = 1;
            for (var i = 1; i <= Rank; i++) n = checked(n * Dim[i]);
            return n;
        }
    }

    /// <summary>Bytes of the data array (bitpix × voxels / 8).</summary>
    public long DataLength => checked(VoxelCount * BitPix / 8);

    /// <summary>Spatial units (xyzt_units bits 0–2): 1 metre, 2 millimetre, 3 micron.</summary>
    public int SpaceUnits => XyztUnits & 0x07;
    /// <summary>Temporal units (bits 3–5): 8 s, 16 ms, 24 µs, 32 Hz, 40 ppm, 48 rad/s.</summary>
    public int TimeUnits => XyztUnits & 0x38;

    /// <summary>qfac from pixdim[0]: −1 when it is negative, else +1 (0 is read as +1, as nifti1.h says).</summary>
    public double QFac => PixDim[0] < 0 ? -1 : 1;

    /// <summary>True when scl_slope is neither 0 nor NaN and the pair is not the identity (1, 0).</summary>
    public bool HasScaling => SclSlope != 0 && !double.IsNaN(SclSlope) && (SclSlope != 1 || (SclInter != 0 && !double.IsNaN(SclInter)));

    /// <summary>The qform (method 2) voxel → RAS affine, row-major 4×4.</summary>
    public double[] QformAffine() => NiftiTransforms.QuaternionToAffine(QuaternB, QuaternC, QuaternD, QOffsetX, QOffsetY, QOffsetZ, PixDim[1], PixDim[2], PixDim[3], QFac);

    /// <summary>The sform (method 3) voxel → RAS affine, row-major 4×4.</summary>
    public double[] SformAffine() => [.. SrowX, .. SrowY, .. SrowZ, 0, 0, 0, 1];

    /// <summary>
    /// The voxel → RAS affine a reader should use: the sform when sform_code &gt; 0, else the qform when
    /// qform_code &gt; 0, else (method 1, ANALYZE) the pixdim scaling with the origin at voxel 0. nibabel makes the
    /// same choice of sform over qform; nifti1.h leaves the choice to the application.
    /// </summary>
    public double[] BestAffine()
    {
        if (SformCode > 0) return SformAffine();
        if (QformCode > 0) return QformAffine();
        return [PixDim[1], 0, 0, 0, 0, PixDim[2], 0, 0, 0, 0, PixDim[3], 0, 0, 0, 0, 1];
    }

    /// <summary>Sets sform (and, when the matrix is a rotation with positive spacings, qform) from a voxel → RAS affine.</summary>
    public void SetAffine(double[] rasAffine, short code)
    {
        SrowX = rasAffine[0..4];
        SrowY = rasAffine[4..8];
        SrowZ = rasAffine[8..12];
        SformCode = code;
        var q = NiftiTransforms.AffineToQuaternion(rasAffine);
        QuaternB = q.B; QuaternC = q.C; QuaternD = q.D;
        if (Version == 1) (QuaternB, QuaternC, QuaternD) = NiftiTransforms.ForFloat32(q.B, q.C, q.D);
        QOffsetX = rasAffine[3]; QOffsetY = rasAffine[7]; QOffsetZ = rasAffine[11];
        PixDim[0] = q.QFac;
        PixDim[1] = q.Dx; PixDim[2] = q.Dy; PixDim[3] = q.Dz;
        // A sheared matrix has no quaternion form: qform would misplace voxels, so it is left unset.
        QformCode = q.IsRigid ? code : (short)0;
    }

    public NiftiHeader Clone()
    {
        var h = (NiftiHeader)MemberwiseClone();
        h.Dim = (long[])Dim.Clone();
        h.PixDim = (double[])PixDim.Clone();
        h.SrowX = (double[])SrowX.Clone();
        h.SrowY = (double[])SrowY.Clone();
        h.SrowZ = (double[])SrowZ.Clone();
        h.EolCheck = (byte[])EolCheck.Clone();
        return h;
    }

    /// <summary>Bits per voxel of a datatype code, or 0 when unknown.</summary>
    public static short BitsOf(NiftiDataType t) => t switch
    {
        NiftiDataType.Binary => 1,
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 8,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 16,
        NiftiDataType.Rgb24 => 24,
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Float32 or NiftiDataType.Rgba32 => 32,
        NiftiDataType.Int64 or NiftiDataType.UInt64 or NiftiDataType.Float64 or NiftiDataType.Complex64 => 64,
        NiftiDataType.Float128 or NiftiDataType.Complex128 => 128,
        NiftiDataType.Complex256 => 256,
        _ => 0,
    };

    /// <summary>Bytes of one scalar to byte-swap: complex types swap each component, colour types nothing.</summary>
    public static int SwapSizeOf(NiftiDataType t) => t switch
    {
        NiftiDataType.Rgb24 or NiftiDataType.Rgba32 or NiftiDataType.Binary => 1,
        NiftiDataType.Complex64 => 4,
        NiftiDataType.Complex128 => 8,
        NiftiDataType.Complex256 => 16,
        _ => Math.Max(1, BitsOf(t) / 8),
    };
}

/// <summary>One header extension (nifti1.h nifti1_extension): esize (multiple of 16, includes the 8-byte head), ecode, data.</summary>
public sealed record NiftiExtension(int Code, byte[] Data);
