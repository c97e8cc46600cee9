using Mira.Platform.Security;

namespace Mira.Platform.Datasets;

/// <summary>The kinds of release.</summary>
public static class ReleaseKinds
{
    /// <summary>Train, tune and test splits, for model development; downloadable by the project's developers.</summary>
    public const string Training = "training";
    /// <summary>A test set (every case in <see cref="Splits.Test"/>); downloadable by the project's developers.</summary>
    public const string Test = "test";
    /// <summary>A test set read only by the evaluation runner: never downloadable or viewable by model submitters.</summary>
    public const string Sequestered = "sequestered";

    public static IReadOnlyList<string> All { get; } = [Training, Test, Sequestered];

    /// <summary>Test and sequestered releases: they may share no patient and no image with a training release.</summary>
    public static bool IsHeldOut(string kind) => kind is Test or Sequestered;
}

/// <summary>The splits of a release.</summary>
public static class Splits
{
    public const string Train = "train", Tune = "tune", Test = "test";

    public static IReadOnlyList<string> All { get; } = [Train, Tune, Test];
}

/// <summary>The fields of a case a split can be stratified by, and that the datasheet counts.</summary>
public static class CaseFields
{
    public const string Site = "site", Device = "device", AgeBand = "age_band", Sex = "sex", Grade = "grade";

    public static IReadOnlyList<string> All { get; } = [Site, Device, AgeBand, Sex, Grade];

    /// <summary>What a field holds when the images do not say.</summary>
    public const string Unknown = "unknown";
}

/// <summary>The person a request is made by: name, global roles, client address (for the audit log).</summary>
public sealed record DatasetActor(string Name, IReadOnlyList<string> Roles, string? ClientAddress = null)
{
    /// <summary>Stewards and admins create releases and read every release of every project.</summary>
    public bool IsSteward => Roles.Contains(Security.Roles.Steward) || Roles.Contains(Security.Roles.Admin);

    /// <summary>Model developers (submitters): with membership of the project, non-sequestered releases.</summary>
    public bool IsDeveloper => Roles.Contains(Security.Roles.Developer);
}
