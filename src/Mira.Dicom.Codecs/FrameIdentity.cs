namespace Mira.Dicom.Codecs;

/// <summary>
/// What one compressed frame's own header says, read by <see cref="CodecRegistry.Identify"/> without decoding pixels.
/// Values the header does not carry are null (an RLE header, PS3.5 §G.5, holds only its segment offsets).
/// </summary>
/// <param name="Encoding">The kind of stream, e.g. "JPEG lossless (SOF3), predictor 1" or "JPEG 2000 codestream, reversible 5-3 wavelet".</param>
/// <param name="Width">Samples per line (Columns).</param>
/// <param name="Height">Lines (Rows); null for a JPEG whose number of lines is defined later by DNL.</param>
/// <param name="Components">Components (Samples per Pixel).</param>
/// <param name="BitDepth">Sample precision in bits (the largest over the components).</param>
/// <param name="IsLossless">
/// True for a lossless process: JPEG processes 14 and 15 (SOF3, SOF7, SOF11, SOF15), JPEG-LS with NEAR 0, a JPEG 2000
/// codestream with the reversible 5-3 wavelet (lossless unless quality layers were discarded), RLE.
/// </param>
public sealed record FrameIdentity(string Encoding, int? Width, int? Height, int? Components, int? BitDepth, bool IsLossless)
{
    /// <summary>RLE only: the number of segments the header declares.</summary>
    public int? Segments { get; init; }

    /// <summary>What in the header contradicts the transfer syntax or the data set ("; " between several), or null.</summary>
    public string? Problem { get; init; }

    public override string ToString()
    {
        static string N(int? v) => v?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";
        var size = Width is null && Height is null ? "" : $", {N(Width)}×{N(Height)}";
        var comps = Components is null ? "" : $", {N(Components)} component(s)";
        var bits = BitDepth is null ? "" : $", {N(BitDepth)} bits";
        return $"{Encoding}{size}{comps}{bits}, {(IsLossless ? "lossless" : "lossy")}" + (Problem is null ? "" : $" (problem: {Problem})");
    }
}
