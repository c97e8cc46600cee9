namespace Mira.Platform.Deployment.Ood;

/// <summary>
/// The out-of-distribution guard cannot do what was asked: a series without images, a profile that does not parse or
/// was made by another version, features computed with another histogram than the profile's. The message names what
/// and where; nothing is changed.
/// </summary>
public sealed class OodException(string message, Exception? inner = null) : Exception(message, inner);
