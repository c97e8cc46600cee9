namespace Mira.Platform.Security;

/// <summary>The DIMSE services a remote application entity may use on Mira's listener.</summary>
[Flags]
public enum DimsePermissions
{
    None = 0,
    Echo = 1,
    Store = 2,
    Find = 4,
    Move = 8,
    Get = 16,
    All = Echo | Store | Find | Move | Get,
}

/// <summary>A known remote AE: where it listens (C-MOVE destinations are reached there) and what it may ask of Mira.</summary>
public sealed record ApplicationEntity(string AETitle, string Host, int Port, DimsePermissions Allow)
{
    /// <summary>Parses a comma-separated list such as <c>echo,store,find</c> (or <c>all</c>, <c>none</c>).</summary>
    public static DimsePermissions ParsePermissions(string list)
    {
        var p = DimsePermissions.None;
        foreach (var word in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            p |= word.ToLowerInvariant() switch
            {
                "echo" => DimsePermissions.Echo,
                "store" => DimsePermissions.Store,
                "find" => DimsePermissions.Find,
                "move" => DimsePermissions.Move,
                "get" => DimsePermissions.Get,
                "all" => DimsePermissions.All,
                "none" => DimsePermissions.None,
                _ => throw new ArgumentException($"unknown DIMSE service '{word}' (echo, store, find, move, get, all, none)"),
            };
        return p;
    }

    public static string Format(DimsePermissions p) =>
        p == DimsePermissions.None ? "none"
            : string.Join(',', new[] { (DimsePermissions.Echo, "echo"), (DimsePermissions.Store, "store"), (DimsePermissions.Find, "find"),
                (DimsePermissions.Move, "move"), (DimsePermissions.Get, "get") }.Where(x => p.HasFlag(x.Item1)).Select(x => x.Item2));

    /// <summary>
    /// Checks an AE title: 1–16 characters of the default repertoire without backslash or control characters, not
    /// all spaces (PS3.5 §6.2, VR AE); leading and trailing spaces are not significant and are removed.
    /// </summary>
    public static string NormalizeTitle(string title)
    {
        var t = title.Trim();
        if (t.Length is 0 or > 16 || t.Any(c => c < 0x20 || c > 0x7E || c == '\\'))
            throw new ArgumentException($"'{title}' is not an AE title: 1-16 printable ASCII characters, no backslash (PS3.5 §6.2)");
        return t;
    }
}

