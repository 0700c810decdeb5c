using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tower.Gateway.Webhooks;

/// <summary>What the call log keeps of a JSON payload: top-level string values equal to a linked secret are masked.</summary>
public static class PayloadRedaction
{
    public const string Mask = "*****";

    public static string Redact(string json, IReadOnlySet<string>? secrets)
    {
        // A secret can be a value only if its text is in the payload, exactly so while the payload has no
        // escape sequence; with one (a value may spell a secret escaped), or a secret in it, it is parsed.
        if (secrets is null || secrets.Count == 0 || (!json.Contains('\\') && !ContainsAny(json, secrets)))
        {
            return json;
        }

        // JsonDocument keeps every property as sent, a repeated name too (JsonObject would refuse it).
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return json;
        }

        var output = new ArrayBufferWriter<byte>(json.Length + 16);
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String && secrets.Contains(property.Value.GetString()!))
                {
                    writer.WriteString(property.Name, Mask);
                }
                else
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static bool ContainsAny(string json, IReadOnlySet<string> secrets)
    {
        foreach (var secret in secrets)
        {
            if (json.Contains(secret, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
