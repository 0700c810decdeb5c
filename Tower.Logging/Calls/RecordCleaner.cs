using System.Text;
using System.Text.Json;
using Tower.Contracts.Calls;

namespace Tower.Logging.Calls;

/// <summary>
/// Makes a record storable whatever the gateway sent: text without NUL and with valid UTF-16
/// (so valid UTF-8 in the database), JSON fields that PostgreSQL's jsonb accepts.
/// </summary>
public static class RecordCleaner
{
    public static WebhookCallRecord Clean(WebhookCallRecord record) => record with
    {
        Webhook = Text(record.Webhook),
        Authenticator = Text(record.Authenticator),
        Endpoint = Text(record.Endpoint),
        RequestMethod = Text(record.RequestMethod),
        RequestHeaders = Text(record.RequestHeaders),
        RequestQuery = Text(record.RequestQuery),
        RequestPayload = Text(record.RequestPayload),
        AuthenticationStatus = Text(record.AuthenticationStatus),
        CodeStatus = Text(record.CodeStatus),
        ResultMessage = Text(record.ResultMessage),
        ErrorMessage = Text(record.ErrorMessage),
        ScriptLog = Text(record.ScriptLog),
        IpAddress = Text(record.IpAddress),
        PeerIp = Text(record.PeerIp),
        RunAsUser = Text(record.RunAsUser),
    };

    /// <summary>
    /// The last resort before the error queue: JSON fields that the database refused become plain
    /// text (the payload) or an object holding the original text (headers and query).
    /// </summary>
    public static WebhookCallRecord Simplify(WebhookCallRecord record) => record with
    {
        RequestHeaders = AsJsonText(record.RequestHeaders),
        RequestQuery = AsJsonText(record.RequestQuery),
        PayloadIsJson = false,
        RequestPayload = record.RequestPayload.Replace("\\u0000", "", StringComparison.Ordinal),
    };

    private static string AsJsonText(string json) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["unparsed"] = json.Replace("\\u0000", "", StringComparison.Ordinal) });

    public static string Text(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        if (!text.Contains('\0') && !HasLoneSurrogate(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}
