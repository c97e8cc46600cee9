using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mira.Deid;

/// <summary>
/// Source-generated JSON for recipes, run records and vault records: no reflection at start-up (a run of a few hundred
/// files would otherwise spend a noticeable share of its time warming up the serializer).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeidRecipe))]
[JsonSerializable(typeof(DeidRunRecord))]
[JsonSerializable(typeof(List<PseudonymRecord>))]
internal sealed partial class DeidJson : JsonSerializerContext;
