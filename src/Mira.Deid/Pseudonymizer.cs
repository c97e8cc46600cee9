using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using Mira.Dicom.Values;

namespace Mira.Deid;

/// <summary>What a pseudonym replaced: the record a pseudonym vault keeps for re-identification by a data steward.</summary>
public enum PseudonymKind { PatientId, PatientName, Uid, DateShift }

/// <summary>One original → pseudonym pair (for a date shift: the original Patient ID → the offset as text).</summary>
public sealed record PseudonymRecord(PseudonymKind Kind, string Original, string Pseudonym)
{
    /// <summary>The records as a JSON array of <c>{"kind", "original", "pseudonym"}</c> (kind as its name).</summary>
    public static string ToJson(IReadOnlyList<PseudonymRecord> records) =>
        System.Text.Json.JsonSerializer.Serialize([.. records], DeidJson.Default.ListPseudonymRecord);
}

/// <summary>A patient's date/time shift: whole days plus a time-of-day offset in seconds (§E.3.6 Modified Dates).</summary>
public readonly record struct DateShift(int Days, int Seconds)
{
    /// <summary>The whole offset in seconds.</summary>
    public long TotalSeconds => Days * 86400L + Seconds;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Days}d{Seconds:+0;-0}s");
}

/// <summary>
/// Keyed pseudonyms (HMAC-SHA256 with the project key): Patient ID and Patient's Name, replacement UIDs in the
/// 2.25 form (PS3.5 §B.2) and the per-patient date shift. Deterministic, so the same original gives the same
/// pseudonym in every run, study and site of a project; thread-safe. Every pair handed out is recorded once in
/// <see cref="Records"/> for the vault.
/// </summary>
public sealed class Pseudonymizer(ProjectKey key)
{
    /// <summary>Days of the date shift: −<see cref="MaxShiftDays"/> … −1 (PS3.15 §E.3.6 leaves the offset to the implementation).</summary>
    public const int MaxShiftDays = 365;

    readonly ConcurrentDictionary<(PseudonymKind, string), string> records = new();
    readonly ConcurrentDictionary<string, string> uidCache = new(StringComparer.Ordinal);

    public ProjectKey Key { get; } = key;

    /// <summary>Every original → pseudonym pair handed out so far, sorted by kind and original.</summary>
    public IReadOnlyList<PseudonymRecord> Records =>
        [.. records.Select(kv => new PseudonymRecord(kv.Key.Item1, kv.Key.Item2, kv.Value)).OrderBy(r => r.Kind).ThenBy(r => r.Original, StringComparer.Ordinal)];

    /// <summary>Digits of the patient pseudonym: 15 decimal digits of HMAC("patient", id) (no letters, so it cannot spell a name).</summary>
    string PatientDigits(string patientId)
    {
        Span<byte> h = stackalloc byte[32];
        Key.Mac("patient", patientId, h);
        return (BinaryPrimitives.ReadUInt64BigEndian(h) % 1_000_000_000_000_000UL).ToString("D15", CultureInfo.InvariantCulture);
    }

    /// <summary>The pseudonymous Patient ID (LO, 16 characters): <c>P</c> + 15 digits.</summary>
    public string PatientId(string originalId)
    {
        var p = "P" + PatientDigits(originalId);
        records.TryAdd((PseudonymKind.PatientId, originalId), p);
        return p;
    }

    /// <summary>
    /// The pseudonymous Patient's Name, derived from the original Patient ID (not the name, whose spelling varies
    /// between sites): <c>ANON^P</c> + the same 15 digits, so name and ID pseudonyms belong together.
    /// </summary>
    public string PatientName(string originalId, string originalName)
    {
        var p = "ANON^P" + PatientDigits(originalId);
        if (originalName.Length > 0) records.TryAdd((PseudonymKind.PatientName, originalName), p);
        return p;
    }

    /// <summary>The replacement UID: 2.25 + the first 128 bits of HMAC("uid", uid) as a version-8 UUID (PS3.5 §B.2).</summary>
    public string Uid(string original)
    {
        if (uidCache.TryGetValue(original, out var hit)) return hit;
        Span<byte> h = stackalloc byte[32];
        Key.Mac("uid", original, h);
        var uid = DicomUid.FromHash(h);
        uidCache.TryAdd(original, uid);
        records.TryAdd((PseudonymKind.Uid, original), uid);
        return uid;
    }

    /// <summary>
    /// The patient's date shift from HMAC("date-shift", Patient ID): −365…−1 days and −(1 h … 4 h) of time of day,
    /// never a whole minute, so that a shifted time cannot equal another original time of the same study by accident.
    /// </summary>
    public DateShift ShiftFor(string patientId)
    {
        Span<byte> h = stackalloc byte[32];
        Key.Mac("date-shift", patientId, h);
        var days = -1 - (int)(BinaryPrimitives.ReadUInt32BigEndian(h) % MaxShiftDays);
        var seconds = -(3600 + (int)(BinaryPrimitives.ReadUInt32BigEndian(h[4..]) % (3 * 3600)));
        if (seconds % 60 == 0) seconds -= 17;
        var shift = new DateShift(days, seconds);
        records.TryAdd((PseudonymKind.DateShift, patientId), shift.ToString());
        return shift;
    }
}
