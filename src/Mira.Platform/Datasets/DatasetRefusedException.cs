namespace Mira.Platform.Datasets;

/// <summary>Why a request about a dataset release was refused: the host answers with the matching status.</summary>
public enum DatasetRefusal
{
    /// <summary>The request is malformed or breaks a rule (400).</summary>
    Invalid,
    /// <summary>The caller may not do this (403).</summary>
    Forbidden,
    /// <summary>No such project or release, or one the caller may not know of (404).</summary>
    NotFound,
    /// <summary>The release would leak a patient or an image across splits or releases, or already exists (409).</summary>
    Conflict,
}

/// <summary>
/// A refusal with a message that names what and where (release fields, case ids, patient pseudonyms — never an
/// identified value or an intake UID); nothing was changed.
/// </summary>
public sealed class DatasetRefusedException(DatasetRefusal kind, string message) : Exception(message)
{
    public DatasetRefusal Kind { get; } = kind;

    public static DatasetRefusedException Invalid(string message) => new(DatasetRefusal.Invalid, message);
    public static DatasetRefusedException Forbidden(string message) => new(DatasetRefusal.Forbidden, message);
    public static DatasetRefusedException NotFound(string message) => new(DatasetRefusal.NotFound, message);
    public static DatasetRefusedException Conflict(string message) => new(DatasetRefusal.Conflict, message);
}
