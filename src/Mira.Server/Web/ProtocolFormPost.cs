using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;

namespace Mira.Server.Web;

/// <summary>
/// A protocol's form as posted by the task page (<c>ProtocolFields.razor</c>): the answers by field, as text, in the JSON
/// object a read of the form is (<see cref="FormAnswers.Parse"/>, which the workflow checks them with: allowed values,
/// numbers, required fields). Empty inputs are no answer; inputs of fields the protocol does not have are ignored, as
/// the form never sends them.
/// </summary>
public static class ProtocolFormPost
{
    const string Prefix = "answer.";

    public static string InputName(ProtocolField field) => Prefix + field.Name;

    /// <summary>The answers posted, by field name (multiEnum: every box ticked).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Read(IFormCollection form, Protocol protocol)
    {
        var answers = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var field in protocol.Fields.Where(f => !f.IsDerived))
        {
            var values = form[InputName(field)].Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToArray();
            if (values.Length > 0) answers[field.Name] = values;
        }
        return answers;
    }

    /// <summary>The answers as the JSON body of a form read (one value as a string, several as an array).</summary>
    public static byte[] ToJson(IReadOnlyDictionary<string, IReadOnlyList<string>> answers, Protocol protocol) =>
        JsonSerializer.SerializeToUtf8Bytes(answers.ToDictionary(kv => kv.Key,
            kv => protocol.FieldByName(kv.Key)?.Type == "multiEnum" ? (object)kv.Value : kv.Value[0]));

    /// <summary>Null when the answers are complete and allowed by <paramref name="protocol"/>; otherwise why not (naming the field).</summary>
    public static string? Problem(IReadOnlyDictionary<string, IReadOnlyList<string>> answers, Protocol protocol)
    {
        try
        {
            using var doc = JsonDocument.Parse(ToJson(answers, protocol));
            FormAnswers.Parse(doc.RootElement, protocol);
            return null;
        }
        catch (AnnotationException e)
        {
            return e.Message;
        }
    }
}
