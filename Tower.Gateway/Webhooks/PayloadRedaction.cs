using System.Text.Json.Nodes;

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

        var node = JsonNode.Parse(json);
        if (node is JsonObject fields)
        {
            foreach (var (name, value) in fields.ToList())
            {
                if (value is JsonValue text && text.TryGetValue<string>(out var s) && secrets.Contains(s))
                {
                    fields[name] = Mask;
                }
            }
        }

        return node?.ToJsonString() ?? "null";
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
