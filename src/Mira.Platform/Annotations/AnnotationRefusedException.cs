namespace Mira.Platform.Annotations;

/// <summary>Why a request about annotation was refused: the host answers with the matching status.</summary>
public enum RefusalKind
{
    /// <summary>The request is malformed or breaks a rule (400).</summary>
    Invalid,
    /// <summary>The caller may not do this (403).</summary>
    Forbidden,
    /// <summary>No such project, protocol, task or version (404).</summary>
    NotFound,
    /// <summary>The task is not in a state that allows it (409).</summary>
    Conflict,
}

/// <summary>A refusal with a message that names what and where; nothing was changed.</summary>
public sealed class AnnotationRefusedException(RefusalKind kind, string message) : Exception(message)
{
    public RefusalKind Kind { get; } = kind;

    public static AnnotationRefusedException Invalid(string message) => new(RefusalKind.Invalid, message);
    public static AnnotationRefusedException Forbidden(string message) => new(RefusalKind.Forbidden, message);
    public static AnnotationRefusedException NotFound(string message) => new(RefusalKind.NotFound, message);
    public static AnnotationRefusedException Conflict(string message) => new(RefusalKind.Conflict, message);
}
