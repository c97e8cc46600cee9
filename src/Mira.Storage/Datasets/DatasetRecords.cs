namespace Mira.Storage.Datasets;

/// <summary>
/// One dataset release as stored: its content-addressed id, project, name, version and kind (<c>training</c>,
/// <c>test</c> or <c>sequestered</c>), the release it supersedes (an earlier version of the same name), the split
/// settings and datasheet as JSON, how many members it has, and who made it when.
/// </summary>
public sealed record DatasetReleaseRecord(
    string Id, string Project, string Name, int Version, string Kind, string? Supersedes, string SplitsJson, string DatasheetJson,
    int MemberCount, string CreatedBy, DateTimeOffset Created);

/// <summary>
/// One member (case) of a release: its place in the release, pseudonymous case id, the series of the project's research
/// archive, the patient pseudonym, the split, the fields (site, device, age band, sex, grade) as JSON, the SHA-256 of the
/// decoded pixel data, the SHA-256 over the stored instances, and the chosen annotation (JSON) or null.
/// </summary>
public sealed record DatasetMemberRecord(
    string Release, int Ordinal, string CaseId, string StudyUid, string SeriesUid, string Patient, string Split, string FieldsJson,
    string PixelSha256, string ContentSha256, string? AnnotationJson);

/// <summary>A member of another release of the same project, as the leakage check needs it.</summary>
public sealed record DatasetMemberFact(string Release, string ReleaseName, int ReleaseVersion, string Kind, string CaseId, string Patient, string Split,
    string PixelSha256, string SeriesUid);
