using System.Globalization;
using System.Security.Cryptography;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Codecs;
using Mira.Platform.Research;
using Mira.Storage.Index;

namespace Mira.Platform.Datasets;

/// <summary>
/// What a release needs to know of one de-identified series of a project's research archive: its instances in order
/// (Instance Number, then SOP Instance UID), the patient pseudonym, the fields, the acquisition parameters the datasheet
/// lists, and two hashes:
/// <list type="bullet">
/// <item><see cref="PixelSha256"/>: per image, SHA-256 over rows, columns, samples per pixel, bits allocated, frame count
/// and every frame decoded through <c>Mira.Dicom.Codecs</c> (so a re-encoded copy hashes alike); the series' hash is the
/// SHA-256 over the sorted image hashes, so a re-sent copy under new UIDs (whose instance order may differ) is caught,
/// and one changed voxel gives another hash;</item>
/// <item><see cref="ContentSha256"/>: SHA-256 over the stored instances' SHA-256s (the index keeps one per blob), in
/// instance order: any change to the stored bytes.</item>
/// </list>
/// </summary>
public sealed record SeriesReading(
    string StudyInstanceUid, string SeriesInstanceUid, string Patient, IReadOnlyDictionary<string, string> Fields, IReadOnlyList<StoredInstance> Instances,
    string PixelSha256, string ContentSha256, string? Modality, string? StudyDate, IReadOnlyDictionary<string, string> Acquisition)
{
    /// <summary>
    /// Reads a series; null when it holds no image (annotation objects: SEG, SR). Throws
    /// <see cref="DatasetRefusedException"/> naming the series when it is not in the archive.
    /// </summary>
    public static async Task<SeriesReading?> ReadAsync(ProjectArchive archive, string study, string series, CancellationToken ct)
    {
        var rows = await archive.Index.FindInstancesAsync(study, series, ct);
        if (rows.Count == 0) throw DatasetRefusedException.Invalid($"series {series} is not in project {archive.ProjectId}");
        var read = new List<(StoredInstance Row, DicomDataset Data, string? PixelHash)>();
        foreach (var row in rows)
        {
            var file = await StoredObjects.ReadAsync(archive.Blobs, row, ct);
            read.Add((row, file.Dataset, PixelHashOf(file, series)));
        }
        read.Sort((a, b) => (a.Data.GetInt32(DicomTags.InstanceNumber) ?? int.MaxValue).CompareTo(b.Data.GetInt32(DicomTags.InstanceNumber) ?? int.MaxValue) is var c && c != 0
            ? c : string.CompareOrdinal(a.Row.SopInstanceUid, b.Row.SopInstanceUid));
        var images = read.Where(r => r.PixelHash is not null).ToList();
        if (images.Count == 0) return null;
        var first = images[0].Data;
        var pixel = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(
            string.Join('\n', images.Select(i => i.PixelHash).Order(StringComparer.Ordinal)))));
        var content = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(string.Join('\n', read.Select(r => r.Row.Sha256)))));
        var patient = first.GetString(DicomTags.PatientID)?.Trim();
        if (string.IsNullOrEmpty(patient)) throw DatasetRefusedException.Invalid($"series {series} has no Patient ID (the pseudonym a split is made by)");
        var studyDate = first.GetString(DicomTags.StudyDate)?.Trim();
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CaseFields.Site] = Value(first.GetString(DicomTags.InstitutionName)),
            [CaseFields.Device] = Value(string.Join(' ', new[] { first.GetString(DicomTags.Manufacturer), first.GetString(DicomTags.ManufacturerModelName) }
                .Select(s => s?.Trim()).Where(s => !string.IsNullOrEmpty(s)))),
            [CaseFields.AgeBand] = AgeBand(first.GetString(DicomTags.PatientAge), first.GetString(DicomTags.PatientBirthDate), studyDate),
            [CaseFields.Sex] = first.GetString(DicomTags.PatientSex)?.Trim() is "M" or "F" or "O" ? first.GetString(DicomTags.PatientSex)!.Trim() : CaseFields.Unknown,
        };
        var acquisition = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, tag) in new[] { ("sliceThickness", DicomTags.SliceThickness), ("kvp", DicomTags.KVP), ("magneticFieldStrength", DicomTags.MagneticFieldStrength),
            ("pixelSpacing", DicomTags.PixelSpacing) })
            if (first.GetString(tag)?.Trim() is { Length: > 0 } v) acquisition[name] = v;
        if (first.GetInt32(DicomTags.Rows) is { } rowCount && first.GetInt32(DicomTags.Columns) is { } columnCount)
            acquisition["matrix"] = FormattableString.Invariant($"{rowCount}x{columnCount}");
        acquisition["images"] = images.Count.ToString(CultureInfo.InvariantCulture);
        return new SeriesReading(study, series, patient, fields, [.. read.Select(r => r.Row)], pixel, content,
            first.GetString(DicomTags.Modality)?.Trim(), studyDate, acquisition);
    }

    /// <summary>A field's value; unknown when empty or when de-identification put its dummy there (a blanked Institution Name is no site).</summary>
    static string Value(string? s) => string.IsNullOrWhiteSpace(s) || s.Trim() == Mira.Deid.DummyValues.Text ? CaseFields.Unknown : s.Trim();

    /// <summary>The SHA-256 of one instance's decoded frames and their shape; null when it has no pixel data.</summary>
    static string? PixelHashOf(DicomFile file, string series)
    {
        if (!file.Dataset.Contains(DicomTags.PixelData) && !file.Dataset.Contains(DicomTags.FloatPixelData) && !file.Dataset.Contains(DicomTags.DoubleFloatPixelData))
            return null;
        try
        {
            var pixels = PixelData.Open(file);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var f = pixels.Format;
            sha.AppendData(System.Text.Encoding.ASCII.GetBytes(FormattableString.Invariant($"{f.Rows}x{f.Columns}x{f.SamplesPerPixel}x{f.BitsAllocated}x{pixels.FrameCount}\n")));
            for (var i = 0; i < pixels.FrameCount; i++) sha.AppendData(pixels.DecodeFrame(i));
            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        catch (DicomCodecException e)
        {
            throw DatasetRefusedException.Invalid($"series {series}: an image's pixel data cannot be decoded ({e.Message})");
        }
    }

    /// <summary>
    /// Ten-year bands (<c>0-9</c> … <c>80-89</c>, <c>90+</c>) from Patient's Age (AS: <c>nnnD|W|M|Y</c>, PS3.5 §6.2), else
    /// from Patient's Birth Date and the Study Date (both shifted alike by a date-shifting recipe); <c>unknown</c> otherwise.
    /// </summary>
    public static string AgeBand(string? age, string? birthDate, string? studyDate)
    {
        int? years = null;
        age = age?.Trim();
        if (age is { Length: 4 } && int.TryParse(age.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            years = age[3] switch { 'Y' => n, 'M' => n / 12, 'W' => n / 52, 'D' => n / 365, _ => null };
        else if (DateOnly.TryParseExact(birthDate?.Trim(), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var born)
                 && DateOnly.TryParseExact(studyDate?.Trim(), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var seen) && seen >= born)
            years = seen.Year - born.Year - (seen.DayOfYear < born.DayOfYear ? 1 : 0);
        return years switch
        {
            null => CaseFields.Unknown,
            >= 90 => "90+",
            { } y => FormattableString.Invariant($"{y / 10 * 10}-{y / 10 * 10 + 9}"),
        };
    }
}
