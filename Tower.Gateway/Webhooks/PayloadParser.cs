using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tower.Gateway.Webhooks;

/// <summary>
/// Turns a body into the script's <c>payload</c> by the webhook's payload type (the request's
/// Content-Type is ignored): GET gives the query string's fields; JSON bodies must parse (an empty
/// one is <c>{}</c>, and no object may repeat a name); form bodies give their fields. Invalid UTF-8
/// is refused in both.
/// </summary>
public static class PayloadParser
{
    public const string InvalidJson = "Invalid JSON payload";
    public const string InvalidForm = "Invalid form payload";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    /// <summary>
    /// Parses strictly: besides malformed JSON, a name repeated within one object is refused, as
    /// I-JSON (RFC 7493) requires: parsers disagree on which of its values counts (the first, the
    /// last, an error), so a signature check and the webhook's code could read different values.
    /// </summary>
    public static ParsedPayload ParseJson(ReadOnlyMemory<byte> body)
    {
        if (IsBlank(body.Span))
        {
            return new ParsedPayload("{}", null);
        }

        try
        {
            // Validation only (the script parses the payload itself); the text must also be strict UTF-8.
            using (JsonDocument.Parse(body, StrictJson))
            {
                return new ParsedPayload(StrictUtf8.GetString(body.Span), null);
            }
        }
        catch (Exception exception) when (exception is JsonException or DecoderFallbackException)
        {
            return new ParsedPayload(null, InvalidJson);
        }
    }

    public static ParsedPayload ParseForm(ReadOnlySpan<byte> body)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return new ParsedPayload(null, InvalidForm);
        }

        var fields = new JsonObject();
        foreach (var pair in text.Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = Decode(equals < 0 ? "" : pair[(equals + 1)..]);
            if (name is null || value is null)
            {
                return new ParsedPayload(null, InvalidForm);
            }

            fields.TryAdd(name, value);
        }

        return new ParsedPayload(fields.ToJsonString(), null);
    }

    /// <summary>Fields as a JSON object of strings, the first value of a repeated key.</summary>
    public static string ToJsonObject(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var json = new JsonObject();
        foreach (var (name, value) in fields)
        {
            json.TryAdd(name, value);
        }

        return json.ToJsonString();
    }

    /// <summary>Form decoding: '+' is a space and %XX a byte; the bytes must be UTF-8.</summary>
    private static string? Decode(string text)
    {
        if (text.IndexOfAny(['%', '+']) < 0)
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        Span<byte> encoded = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '%')
            {
                if (i + 2 >= text.Length || !IsHex(text[i + 1]) || !IsHex(text[i + 2]))
                {
                    return null;
                }

                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                var rune = char.IsSurrogatePair(text, i) ? new Rune(text[i], text[++i]) : new Rune(c);
                bytes.AddRange(encoded[..rune.EncodeToUtf8(encoded)]);
            }
        }

        try
        {
            return StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static bool IsBlank(ReadOnlySpan<byte> body)
    {
        foreach (var b in body)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }
}
