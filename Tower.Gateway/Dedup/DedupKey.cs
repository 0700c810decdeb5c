using System.Text.Json;
using Tower.Contracts.Configuration;

namespace Tower.Gateway.Dedup;

/// <summary>
/// A call's dedup key (spec §14): a header's value as text, or the value at a JSON pointer of the
/// payload (a string without its quotes, anything else as its JSON text). No header, no value, a
/// null or an empty one: no key, and no dedup for that call.
/// </summary>
public static class DedupKey
{
    public static string? Of(DedupDefinition dedup, IHeaderDictionary headers, string? payloadJson)
    {
        var key = dedup.Source == DedupDefinition.FromHeader
            ? headers[dedup.Key ?? ""].ToString()
            : payloadJson is null ? null : AtPointer(payloadJson, dedup.Key ?? "");
        return string.IsNullOrEmpty(key) ? null : key;
    }

    /// <summary>
    /// What the store keeps of a key: its SHA-256 in hex. A delivery id may be a credential (a
    /// header such as Authorization) or long (a pointer to an object); neither is stored as is.
    /// </summary>
    public static string Hash(string key) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    private static string? AtPointer(string json, string pointer)
    {
        using var document = JsonDocument.Parse(json);
        var element = document.RootElement;
        foreach (var segment in pointer.Split('/').Skip(1).Select(token => token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)))
        {
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(segment, out var child))
            {
                element = child;
            }
            else if (element.ValueKind == JsonValueKind.Array && int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                     && index < element.GetArrayLength() && (segment == "0" || !segment.StartsWith('0')))
            {
                element = element[index];
            }
            else
            {
                return null;
            }
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => element.GetRawText(),
        };
    }
}
