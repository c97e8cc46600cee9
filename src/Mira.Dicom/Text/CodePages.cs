using System.Text;

namespace Mira.Dicom.Text;

/// <summary>
/// Access to the .NET code-page encodings (System.Text.Encoding.CodePages, part of the shared framework).
/// Registration happens once; every encoding is fetched once and cached by its callers, never per Decode call.
/// Verified available on .NET 10 / Linux with InvariantGlobalization: 28591–28599, 28605 (ISO 8859-x), 874 (TIS 620
/// superset), 20932 (EUC-JP with JIS X 0208, no JIS X 0212), 51949 (EUC-KR), 20936 (GB 2312), 936 (GBK), 54936 (GB18030).
/// </summary>
internal static class CodePages
{
    static CodePages() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>An encoding that replaces undecodable bytes with U+FFFD and throws on unencodable characters.</summary>
    public static Encoding Get(int codePage) =>
        Encoding.GetEncoding(codePage, EncoderFallback.ExceptionFallback, new DecoderReplacementFallback("\uFFFD"));
}
