using System.Text;
using System.Text.Json;
using Tower.Contracts.Calls;

namespace Tower.Logging.Calls;

/// <summary>
/// Makes a record storable and readable whatever the gateway sent: text without NUL and with
/// valid UTF-16 (so valid UTF-8 in the database), and JSON fields whose escapes name neither NUL
/// (removed, as in text) nor half of a surrogate pair (replaced by U+FFFD), so that the log can
/// always print them back.
/// </summary>
public static class RecordCleaner
{
    public static WebhookCallRecord Clean(WebhookCallRecord record) => record with
    {
        Webhook = Text(record.Webhook),
        Authenticator = Text(record.Authenticator),
        Endpoint = Text(record.Endpoint),
        RequestMethod = Text(record.RequestMethod),
        RequestHeaders = Json(Text(record.RequestHeaders)),
        RequestQuery = Json(Text(record.RequestQuery)),
        RequestPayload = record.PayloadIsJson ? Json(Text(record.RequestPayload)) : Text(record.RequestPayload),
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

    /// <summary>Valid JSON text with every <c>\u0000</c> escape removed and every lone surrogate escape replaced.</summary>
    public static string Json(string json)
    {
        if (!json.Contains("\\u", StringComparison.Ordinal))
        {
            return json;
        }

        var builder = new StringBuilder(json.Length);
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] != '\\' || i + 1 >= json.Length)
            {
                builder.Append(json[i]);
                continue;
            }

            if (UnicodeEscapeAt(json, i) is not { } c)
            {
                // Any other escape (\\, \", \n...) is kept whole, so its second character is never read as the start of one.
                builder.Append(json, i, 2);
                i++;
                continue;
            }

            // A NUL escape is dropped, as NUL is from text.
            if (char.IsHighSurrogate(c) && UnicodeEscapeAt(json, i + 6) is { } low && char.IsLowSurrogate(low))
            {
                builder.Append(json, i, 12);
                i += 6;
            }
            else if (char.IsSurrogate(c))
            {
                builder.Append("\\ufffd");
            }
            else if (c != '\0')
            {
                builder.Append(json, i, 6);
            }

            i += 5;
        }

        return builder.ToString();
    }

    /// <summary>The UTF-16 unit a <c>\uXXXX</c> escape starting at <paramref name="at"/> names, or null when none starts there.</summary>
    private static char? UnicodeEscapeAt(string json, int at) =>
        at + 5 < json.Length && json[at] == '\\' && json[at + 1] == 'u'
        && ushort.TryParse(json.AsSpan(at + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var unit)
            ? (char)unit
            : null;

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
