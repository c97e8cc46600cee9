namespace Mira.Platform.Datasets;

/// <summary>The annotation version a case carries: task, version number, role, protocol, kind, and the SHA-256 of its stored content.</summary>
public sealed record ChosenAnnotation(long Task, int Version, string Role, string Protocol, int ProtocolVersion, string Kind, string ContentSha256);

/// <summary>
/// One case of a release: one de-identified image series of the project's research archive, with its patient pseudonym
/// (the de-identified Patient ID), split, fields (<see cref="CaseFields"/>), the SHA-256 of its decoded pixel data
/// (<see cref="PixelHash"/>), the SHA-256 over its stored instances' SHA-256s, and its chosen annotation.
/// </summary>
public sealed record ReleaseCase(
    string CaseId, string StudyInstanceUid, string SeriesInstanceUid, string Patient, string Split, IReadOnlyDictionary<string, string> Fields,
    string PixelSha256, string ContentSha256, ChosenAnnotation? Annotation)
{
    public string Field(string name) => Fields.TryGetValue(name, out var v) ? v : CaseFields.Unknown;
}

/// <summary>
/// A release as the platform hands it out: the stored fields, its split settings and datasheet (JSON), and its cases
/// (empty where the caller may only know that the release exists: a sequestered release seen by a model submitter).
/// </summary>
public sealed record DatasetRelease(
    string Id, string Project, string Name, int Version, string Kind, string? Supersedes, int Size, string CreatedBy, DateTimeOffset Created,
    string SplitsJson, string DatasheetJson, IReadOnlyList<ReleaseCase> Cases)
{
    public bool IsSequestered => Kind == ReleaseKinds.Sequestered;
}
