using System.Runtime.InteropServices;

namespace Mira.Dicom.Codecs.OpenJpeg;

/// <summary>
/// The part of OpenJPEG's C API (openjpeg.h, library version 2.5, soname libopenjp2.so.7) that the codec calls,
/// resolved once from the shared library with <see cref="NativeLibrary"/> so that a missing library or symbol is a
/// clear error at registration rather than a <see cref="DllNotFoundException"/> in the middle of a decode.
/// </summary>
/// <remarks>
/// Struct layouts are those of openjpeg.h 2.5.0 on 64-bit Linux (checked with offsetof against the Debian header):
/// <c>opj_image_t</c> is 48 bytes with <c>comps</c> at 24; <c>opj_image_comp_t</c> is 64 bytes with <c>data</c> at
/// 48; <c>opj_image_cmptparm_t</c> is nine uint32 (36 bytes). The parameter structs (<c>opj_dparameters_t</c>, 8252
/// bytes; <c>opj_cparameters_t</c>, 18720 bytes) are allocated opaquely and filled by the library's
/// <c>opj_set_default_*_parameters</c>; the few encoder fields set here are written at their offsets
/// (<see cref="CParams"/>). These layouts have not changed within soname 7 (OpenJPEG 2.1 to 2.5).
/// </remarks>
internal sealed unsafe class OpenJpegNative
{
    public const string DefaultLibrary = "libopenjp2.so.7";

    public const int CodecJ2k = 0;
    public const int CodecJp2 = 2;

    public const int ClrspcUnspecified = 0;
    public const int ClrspcSrgb = 1;
    public const int ClrspcGray = 2;

    public const int DParametersSize = 8252;
    public const int CParametersSize = 18720;

    /// <summary>Offsets inside <c>opj_cparameters_t</c> (openjpeg.h 2.5.0, x86-64 and arm64).</summary>
    public static class CParams
    {
        public const int CpDistoAlloc = 20;     // int
        public const int TcpNumLayers = 4796;   // int
        public const int TcpRates = 4800;       // float[100]
        public const int NumResolution = 5600;  // int
        public const int Irreversible = 5616;   // int
        public const int TcpMct = 18698;        // char
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Image
    {
        public uint X0, Y0, X1, Y1;
        public uint NumComps;
        public int ColorSpace;
        public ImageComp* Comps;
        public byte* IccProfileBuf;
        public uint IccProfileLen;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ImageComp
    {
        public uint Dx, Dy, W, H, X0, Y0, Prec, Bpp, Sgnd, ResnoDecoded, Factor;
        public int* Data;
        public ushort Alpha;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ImageCompParm
    {
        public uint Dx, Dy, W, H, X0, Y0, Prec, Bpp, Sgnd;
    }

    readonly nint handle;

    public readonly delegate* unmanaged[Cdecl]<byte*> opj_version;
    public readonly delegate* unmanaged[Cdecl]<int, nint> opj_create_decompress;
    public readonly delegate* unmanaged[Cdecl]<int, nint> opj_create_compress;
    public readonly delegate* unmanaged[Cdecl]<nint, void> opj_destroy_codec;
    public readonly delegate* unmanaged[Cdecl]<void*, void> opj_set_default_decoder_parameters;
    public readonly delegate* unmanaged[Cdecl]<void*, void> opj_set_default_encoder_parameters;
    public readonly delegate* unmanaged[Cdecl]<nint, void*, int> opj_setup_decoder;
    public readonly delegate* unmanaged[Cdecl]<nint, void*, Image*, int> opj_setup_encoder;
    public readonly delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<byte*, void*, void>, void*, int> opj_set_error_handler;
    public readonly delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<byte*, void*, void>, void*, int> opj_set_warning_handler;
    public readonly delegate* unmanaged[Cdecl]<nint, int, int> opj_decoder_set_strict_mode;
    public readonly delegate* unmanaged[Cdecl]<nint, nint, Image**, int> opj_read_header;
    public readonly delegate* unmanaged[Cdecl]<nint, nint, Image*, int> opj_decode;
    public readonly delegate* unmanaged[Cdecl]<nint, nint, int> opj_end_decompress;
    public readonly delegate* unmanaged[Cdecl]<nint, Image*, nint, int> opj_start_compress;
    public readonly delegate* unmanaged[Cdecl]<nint, nint, int> opj_encode;
    public readonly delegate* unmanaged[Cdecl]<nint, nint, int> opj_end_compress;
    public readonly delegate* unmanaged[Cdecl]<uint, ImageCompParm*, int, Image*> opj_image_create;
    public readonly delegate* unmanaged[Cdecl]<Image*, void> opj_image_destroy;
    public readonly delegate* unmanaged[Cdecl]<nuint, int, nint> opj_stream_create;
    public readonly delegate* unmanaged[Cdecl]<nint, void> opj_stream_destroy;
    public readonly delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<void*, nuint, void*, nuint>, void> opj_stream_set_read_function;
    public readonly delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<void*, nuint, void*, nuint>, void> opj_stream_set_write_function;
    public readonly delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<long, void*, long>, void> opj_stream_set_skip_function;
    public readonly delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<long, void*, int>, void> opj_stream_set_seek_function;
    public readonly delegate* unmanaged[Cdecl]<nint, void*, void*, void> opj_stream_set_user_data;
    public readonly delegate* unmanaged[Cdecl]<nint, ulong, void> opj_stream_set_user_data_length;

    /// <summary>The library's version string, e.g. "2.5.0".</summary>
    public string Version { get; }

    public string LibraryName { get; }

    OpenJpegNative(nint handle, string name)
    {
        this.handle = handle;
        LibraryName = name;
        opj_version = (delegate* unmanaged[Cdecl]<byte*>)Export("opj_version");
        opj_create_decompress = (delegate* unmanaged[Cdecl]<int, nint>)Export("opj_create_decompress");
        opj_create_compress = (delegate* unmanaged[Cdecl]<int, nint>)Export("opj_create_compress");
        opj_destroy_codec = (delegate* unmanaged[Cdecl]<nint, void>)Export("opj_destroy_codec");
        opj_set_default_decoder_parameters = (delegate* unmanaged[Cdecl]<void*, void>)Export("opj_set_default_decoder_parameters");
        opj_set_default_encoder_parameters = (delegate* unmanaged[Cdecl]<void*, void>)Export("opj_set_default_encoder_parameters");
        opj_setup_decoder = (delegate* unmanaged[Cdecl]<nint, void*, int>)Export("opj_setup_decoder");
        opj_setup_encoder = (delegate* unmanaged[Cdecl]<nint, void*, Image*, int>)Export("opj_setup_encoder");
        opj_set_error_handler = (delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<byte*, void*, void>, void*, int>)Export("opj_set_error_handler");
        opj_set_warning_handler = (delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<byte*, void*, void>, void*, int>)Export("opj_set_warning_handler");
        opj_decoder_set_strict_mode = (delegate* unmanaged[Cdecl]<nint, int, int>)Export("opj_decoder_set_strict_mode");
        opj_read_header = (delegate* unmanaged[Cdecl]<nint, nint, Image**, int>)Export("opj_read_header");
        opj_decode = (delegate* unmanaged[Cdecl]<nint, nint, Image*, int>)Export("opj_decode");
        opj_end_decompress = (delegate* unmanaged[Cdecl]<nint, nint, int>)Export("opj_end_decompress");
        opj_start_compress = (delegate* unmanaged[Cdecl]<nint, Image*, nint, int>)Export("opj_start_compress");
        opj_encode = (delegate* unmanaged[Cdecl]<nint, nint, int>)Export("opj_encode");
        opj_end_compress = (delegate* unmanaged[Cdecl]<nint, nint, int>)Export("opj_end_compress");
        opj_image_create = (delegate* unmanaged[Cdecl]<uint, ImageCompParm*, int, Image*>)Export("opj_image_create");
        opj_image_destroy = (delegate* unmanaged[Cdecl]<Image*, void>)Export("opj_image_destroy");
        opj_stream_create = (delegate* unmanaged[Cdecl]<nuint, int, nint>)Export("opj_stream_create");
        opj_stream_destroy = (delegate* unmanaged[Cdecl]<nint, void>)Export("opj_stream_destroy");
        opj_stream_set_read_function = (delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<void*, nuint, void*, nuint>, void>)Export("opj_stream_set_read_function");
        opj_stream_set_write_function = (delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<void*, nuint, void*, nuint>, void>)Export("opj_stream_set_write_function");
        opj_stream_set_skip_function = (delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<long, void*, long>, void>)Export("opj_stream_set_skip_function");
        opj_stream_set_seek_function = (delegate* unmanaged[Cdecl]<nint, delegate* unmanaged[Cdecl]<long, void*, int>, void>)Export("opj_stream_set_seek_function");
        opj_stream_set_user_data = (delegate* unmanaged[Cdecl]<nint, void*, void*, void>)Export("opj_stream_set_user_data");
        opj_stream_set_user_data_length = (delegate* unmanaged[Cdecl]<nint, ulong, void>)Export("opj_stream_set_user_data_length");
        Version = Marshal.PtrToStringUTF8((nint)opj_version()) ?? "";
    }

    nint Export(string name) =>
        NativeLibrary.TryGetExport(handle, name, out var p) ? p
            : throw new DicomCodecException($"OpenJPEG: {LibraryName} has no symbol {name}; OpenJPEG 2.5 (Debian package libopenjp2-7) is needed");

    static readonly Lock gate = new();
    static readonly Dictionary<string, OpenJpegNative> loaded = new(StringComparer.Ordinal);

    /// <summary>
    /// Loads the library (once per name). Throws <see cref="DicomCodecException"/> naming the Debian package when
    /// it is missing, lacks a symbol, or is not OpenJPEG 2.5 or later (HTJ2K decoding arrived in 2.5.0).
    /// </summary>
    public static OpenJpegNative Load(string library = DefaultLibrary)
    {
        lock (gate)
        {
            if (loaded.TryGetValue(library, out var known)) return known;
            if (!NativeLibrary.TryLoad(library, typeof(OpenJpegNative).Assembly, DllImportSearchPath.SafeDirectories | DllImportSearchPath.System32, out var h)
                && !NativeLibrary.TryLoad(library, out h))
                throw new DicomCodecException($"OpenJPEG: cannot load {library}; install the Debian package libopenjp2-7 (apt-get install libopenjp2-7)");
            var native = new OpenJpegNative(h, library);
            if (!IsSupported(native.Version))
                throw new DicomCodecException($"OpenJPEG: {library} is version {native.Version}; 2.5 or later is needed (Debian package libopenjp2-7 from Debian 12)");
            loaded[library] = native;
            return native;
        }
    }

    internal static bool IsSupported(string version)
    {
        var parts = version.Split('.');
        return parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor)
               && major == 2 && minor >= 5;
    }
}
