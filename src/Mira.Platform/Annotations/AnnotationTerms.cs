namespace Mira.Platform.Annotations;

/// <summary>
/// A task's states: <c>open</c> (the readers' independent reads are being collected; <c>read</c> is the moment the last
/// one arrives, when agreement is computed), then <c>arbitration</c> (the reads disagree beyond the protocol's
/// threshold), <c>review</c> (a consensus exists; the reviewer accepts it or returns the task) and <c>done</c>.
/// </summary>
public static class TaskStates
{
    public const string Open = "open";
    public const string Read = "read";
    public const string Arbitration = "arbitration";
    public const string Review = "review";
    public const string Done = "done";

    public static IReadOnlyList<string> All { get; } = [Open, Arbitration, Review, Done];

    public static bool IsKnown(string s) => All.Contains(s, StringComparer.Ordinal) || s == Read;
}

/// <summary>
/// The roles a person holds on one task. The Beijing AI GMP inspection guide (2024) asks that no person holds more than
/// one of them on the same case; <see cref="AnnotationService"/> refuses such an assignment, and the store's key (task,
/// person) could not hold it anyway.
/// </summary>
public static class TaskRoles
{
    public const string Annotator = "annotator";
    public const string Reviewer = "reviewer";
    public const string Arbitrator = "arbitrator";
}

/// <summary>Who made a version: a reader, the arbitration, the automatic consensus of agreeing reads, a gold answer, an import.</summary>
public static class VersionRoles
{
    public const string Annotator = "annotator";
    /// <summary>An arbitrator's own read (a body posted to arbitration becomes the consensus, see <see cref="Consensus"/>).</summary>
    public const string Arbitrator = "arbitrator";
    public const string Reviewer = "reviewer";
    public const string Import = "import";
    /// <summary>The case's agreed answer: made by Mira from agreeing reads (STAPLE, majority, identical answers) or by the arbitration.</summary>
    public const string Consensus = "consensus";
    /// <summary>A gold case's known answer (never shown to its readers).</summary>
    public const string Gold = "gold";
}

/// <summary>What a version holds.</summary>
public static class ContentKinds
{
    /// <summary>Masks per label on the referenced images' grid (stored as DICOM SEG).</summary>
    public const string Masks = "masks";
    /// <summary>Polygons on 2D images, slides and photographs (stored as a TID 1500 SR, exported as COCO).</summary>
    public const string Polygons = "polygons";
    /// <summary>The protocol form's answers (stored as a TID 1500 SR).</summary>
    public const string Form = "form";
}
