using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Mira.Storage.Cluster;

namespace Mira.Server.Web;

/// <summary>
/// The data-protection key ring in Mira's database (<see cref="DataProtectionKeyStore"/>), so that every node of a
/// deployment protects antiforgery tokens with the same keys (a form rendered by one node posts to another). The
/// framework calls this synchronously and rarely (at start and when it rotates a key, every 90 days); the keys are
/// read once per call, never per request. Keys made before this existed, in the data folder's <c>keys/</c>, are
/// adopted into the database on first use so that open forms survive the upgrade.
/// </summary>
public sealed class DatabaseKeyRepository(DataProtectionKeyStore store, string? legacyKeyFolder) : IXmlRepository
{
    int adopted;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        AdoptLegacyKeys();
        // Called from the framework's key ring refresh on a thread-pool thread (no synchronisation context), so waiting
        // here cannot deadlock.
        return store.ListAsync().GetAwaiter().GetResult().Select(k => XElement.Parse(k.Xml)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName) =>
        store.AddAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting), DateTimeOffset.UtcNow).GetAwaiter().GetResult();

    void AdoptLegacyKeys()
    {
        if (legacyKeyFolder is null || Interlocked.Exchange(ref adopted, 1) == 1 || !Directory.Exists(legacyKeyFolder)) return;
        foreach (var file in Directory.EnumerateFiles(legacyKeyFolder, "key-*.xml").Order(StringComparer.Ordinal))
        {
            var xml = XElement.Load(file);
            var created = File.GetLastWriteTimeUtc(file);
            store.AddAsync(Path.GetFileNameWithoutExtension(file), xml.ToString(SaveOptions.DisableFormatting), created).GetAwaiter().GetResult();
        }
    }
}
