using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mira.Dicom;

namespace Mira.Deid;

/// <summary>An attribute whose action a recipe sets itself, over Table E.1-1: <c>{"tag": "(0008,103E)", "action": "X"}</c>;
/// with action D, <see cref="Value"/> is the replacement value.</summary>
public sealed record RecipeOverride(string Tag, string Action, string? Value = null);

/// <summary>A private data element that the Retain Safe Private Option keeps (PS3.15 §E.3.10): creator, group, element byte (gggg,xxEE → EE).</summary>
public sealed record SafePrivateElement(string Creator, string Group, string Element);

/// <summary>A rectangle of pixels to blank, in image coordinates (column x, row y, from 0).</summary>
public sealed record PixelRectangle(int X, int Y, int Width, int Height);

/// <summary>
/// A pixel-cleaning rule for one kind of device (PS3.15 §E.3.1 Clean Pixel Data): where that device burns text into
/// images of that size. Manufacturer and model match case-insensitively ("*" or absent: any).
/// </summary>
public sealed record PixelCleaningRule(string? Manufacturer, string? Model, int Rows, int Columns, IReadOnlyList<PixelRectangle> Rectangles);

/// <summary>
/// A de-identification recipe, as data: the profile, its options, per-attribute overrides, the safe private
/// elements, which modalities are presumed to carry burned-in text, and pixel-cleaning rules. Versioned; a run
/// records the recipe's name, version and <see cref="Hash"/>. JSON form: see docs/deid.md.
/// </summary>
public sealed record DeidRecipe
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public string Description { get; init; } = "";

    /// <summary>Only "basic" (PS3.15 Annex E Basic Application Level Confidentiality Profile) exists.</summary>
    public string Profile { get; init; } = "basic";

    /// <summary>Option names: the <see cref="DeidOptions"/> members, e.g. "RetainPatientCharacteristics".</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    public IReadOnlyList<RecipeOverride> Overrides { get; init; } = [];

    public IReadOnlyList<SafePrivateElement> SafePrivate { get; init; } = [];

    /// <summary>Modalities that commonly burn text in: without Burned In Annotation NO they are quarantined unless a rule cleans them.</summary>
    public IReadOnlyList<string> BurnedInModalities { get; init; } = DefaultBurnedInModalities;

    public IReadOnlyList<PixelCleaningRule> PixelCleaning { get; init; } = [];

    public static readonly IReadOnlyList<string> DefaultBurnedInModalities = ["US", "SC", "XC", "OP"];

    [JsonIgnore]
    public DeidOptions OptionFlags
    {
        get
        {
            var flags = DeidOptions.None;
            foreach (var o in Options)
                flags |= Enum.TryParse<DeidOptions>(o, ignoreCase: false, out var f) && f != DeidOptions.None
                    ? f : throw new FormatException($"recipe {Name}: unknown option '{o}' (known: {string.Join(", ", Enum.GetNames<DeidOptions>().Skip(1))})");
            return flags;
        }
    }

    /// <summary>Checks the recipe and returns the override table (tag → action, and replacement values).</summary>
    public (Dictionary<DicomTag, ProfileAction> Actions, Dictionary<DicomTag, string> Values) CompileOverrides()
    {
        if (Profile != "basic") throw new FormatException($"recipe {Name}: unknown profile '{Profile}' (only 'basic')");
        var actions = new Dictionary<DicomTag, ProfileAction>();
        var values = new Dictionary<DicomTag, string>();
        foreach (var o in Overrides)
        {
            if (!DicomTag.TryParse(o.Tag, out var tag)) throw new FormatException($"recipe {Name}: bad tag '{o.Tag}'");
            var action = o.Action switch
            {
                "K" => ProfileAction.K, "X" => ProfileAction.X, "Z" => ProfileAction.Z, "D" => ProfileAction.D,
                "C" => ProfileAction.C, "U" => ProfileAction.U,
                _ => throw new FormatException($"recipe {Name}: action '{o.Action}' for {o.Tag} is not one of K, X, Z, D, C, U"),
            };
            actions[tag] = action;
            if (o.Value is not null)
            {
                if (action != ProfileAction.D) throw new FormatException($"recipe {Name}: a value is only allowed with action D ({o.Tag})");
                values[tag] = o.Value;
            }
        }
        _ = OptionFlags;
        foreach (var r in PixelCleaning)
            if (r.Rows <= 0 || r.Columns <= 0 || r.Rectangles is null || r.Rectangles.Count == 0 || r.Rectangles.Any(x => x.Width <= 0 || x.Height <= 0 || x.X < 0 || x.Y < 0))
                throw new FormatException($"recipe {Name}: a pixel-cleaning rule needs rows, columns and non-empty rectangles inside the image");
        return (actions, values);
    }

    public string ToJson() => JsonSerializer.Serialize(this, DeidJson.Default.DeidRecipe);

    public static DeidRecipe FromJson(string json)
    {
        var read = JsonSerializer.Deserialize(json, DeidJson.Default.DeidRecipe) ?? throw new FormatException("empty recipe");
        // The source-generated reader gives init-only members a file omits null, not their initial values.
        var r = read with
        {
            Description = read.Description ?? "", Profile = read.Profile ?? "basic", Options = read.Options ?? [],
            Overrides = read.Overrides ?? [], SafePrivate = read.SafePrivate ?? [],
            BurnedInModalities = read.BurnedInModalities ?? DefaultBurnedInModalities, PixelCleaning = read.PixelCleaning ?? [],
        };
        r.CompileOverrides();
        return r;
    }

    /// <summary>SHA-256 of the recipe's canonical JSON (lower-case hex): what a run record cites for lineage.</summary>
    [JsonIgnore]
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ToJson().ReplaceLineEndings("\n"))));

    /// <summary>The Basic Application Level Confidentiality Profile alone (PS3.15 §E.2).</summary>
    public static DeidRecipe Basic { get; } = new()
    {
        Name = "basic", Version = "1",
        Description = "PS3.15 Annex E Basic Application Level Confidentiality Profile, no options",
    };

    /// <summary>Basic + Retain Patient Characteristics + Retain Longitudinal Temporal Information with Modified Dates + Clean Descriptors + Clean Structured Content.</summary>
    public static DeidRecipe Research { get; } = new()
    {
        Name = "research", Version = "1",
        Description = "Basic Profile with Retain Patient Characteristics, Retain Longitudinal Temporal Information with Modified Dates, Clean Descriptors and Clean Structured Content",
        Options = [nameof(DeidOptions.RetainPatientCharacteristics), nameof(DeidOptions.RetainLongitudinalModifiedDates),
            nameof(DeidOptions.CleanDescriptors), nameof(DeidOptions.CleanStructuredContent)],
    };

    /// <summary>A built-in recipe by name ("basic", "research"), or a JSON file.</summary>
    public static DeidRecipe Load(string nameOrPath) => nameOrPath switch
    {
        "basic" => Basic,
        "research" => Research,
        _ when File.Exists(nameOrPath) => FromJson(File.ReadAllText(nameOrPath)),
        _ => throw new FileNotFoundException($"no built-in recipe '{nameOrPath}' (basic, research) and no such file"),
    };
}
