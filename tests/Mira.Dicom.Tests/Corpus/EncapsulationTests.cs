using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Mira.Dicom.IO;

namespace Mira.Dicom.Tests.Corpus;

/// <summary>Encapsulated Pixel Data exposed as fragments and frames, checked against the oracle's encapsulation facts.</summary>
public class EncapsulationTests
{
    static readonly Lazy<JsonObject> summary = new(() =>
        // Python wrote bare NaN for some numbers; JSON has no NaN, so read those as null.
        (JsonObject)JsonNode.Parse(System.Text.RegularExpressions.Regex.Replace(
            File.ReadAllText(Path.Combine(Mira.Testing.Corpus.Root, "oracle", "summary.json")), @"(?<=[:\[,]\s*)-?(NaN|Infinity)\b", "null"))!);

    public static TheoryData<string> EncapsulatedFiles()
    {
        var data = new TheoryData<string>();
        foreach (var (path, node) in summary.Value)
            if (node?["encapsulation"] is JsonObject e && e["error"] is null && File.Exists(Path.Combine(Mira.Testing.Corpus.Root, path)))
                data.Add(path);
        return data;
    }

    [Theory]
    [MemberData(nameof(EncapsulatedFiles))]
    public void Fragments_and_offset_table_equal_the_oracle(string path)
    {
        var facts = (JsonObject)summary.Value[path]!["encapsulation"]!;
        var file = DicomFile.Open(Path.Combine(Mira.Testing.Corpus.Root, path));
        var pixels = Assert.IsType<DicomFragmentSequence>(file.Dataset.Get(DicomTags.PixelData));

        Assert.Equal(facts["fragments"]!.GetValue<int>(), pixels.Fragments.Count);
        var lengths = facts["fragment_lengths"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
        Assert.Equal(lengths, pixels.Fragments.Take(lengths.Length).Select(f => f.Length).ToArray());
        if (facts["bot_present"]!.GetValue<bool>())
        {
            var offsets = facts["bot_offsets"]!.AsArray().Select(n => n!.GetValue<uint>()).ToArray();
            Assert.Equal(offsets, pixels.BasicOffsetTable.Take(offsets.Length).ToArray());
        }
        else Assert.Empty(pixels.BasicOffsetTable);

        // The whole encapsulated value (offset table item and fragment items, without the delimiter) hashes as the oracle's.
        var value = new MemoryStream();
        WriteItem(value, pixels.BasicOffsetTable.SelectMany(o => BitConverter.GetBytes(o)).ToArray());
        foreach (var f in pixels.Fragments) WriteItem(value, f.Bytes.ToArray());
        Assert.Equal(facts["value_length"]!.GetValue<long>(), value.Length);
        Assert.Equal(facts["value_sha256"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(value.ToArray())));
    }

    [Theory]
    [MemberData(nameof(EncapsulatedFiles))]
    public void Frames_cover_every_fragment_once(string path)
    {
        var file = DicomFile.Open(Path.Combine(Mira.Testing.Corpus.Root, path));
        var pixels = (DicomFragmentSequence)file.Dataset.Get(DicomTags.PixelData);
        var frames = file.Dataset.GetInt32(DicomTags.NumberOfFrames) ?? 1;
        var split = pixels.GetFrames(frames,
            file.Dataset.Find(DicomTags.ExtendedOffsetTable)?.Bytes.ToArray() is { } eot ? ToUInt64s(eot) : null,
            file.Dataset.Find(DicomTags.ExtendedOffsetTableLengths)?.Bytes.ToArray() is { } eotl ? ToUInt64s(eotl) : null);
        Assert.Equal(frames, split.Count);
        Assert.Equal(pixels.Fragments.Sum(f => f.Length), split.Sum(f => (long)f.Length));
    }

    static ulong[] ToUInt64s(byte[] b) => Enumerable.Range(0, b.Length / 8).Select(i => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(i * 8))).ToArray();

    static void WriteItem(Stream s, byte[] value)
    {
        var h = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(h, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(2), 0xE000);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), (uint)value.Length);
        s.Write(h);
        s.Write(value);
    }
}
