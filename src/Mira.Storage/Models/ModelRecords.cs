namespace Mira.Storage.Models;

/// <summary>
/// One immutable model version: its name and version, the package's content hash, task and protocol (from its
/// manifest), the manifest verbatim, the stored package's size, who pushed it and when.
/// </summary>
public sealed record ModelRecord(string Name, string Version, string Sha256, string Task, string Protocol, string ManifestJson, long PackageBytes,
    string Owner, DateTimeOffset Pushed);
