using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tower.Gateway.Webhooks;

/// <summary>The payload a script sees, as JSON text, or why the body could not be read.</summary>
public readonly record struct ParsedPayload(string? Json, string? Error)
{
    public bool Ok => Error is null;
}

/// <summary>
/// Turns a body into the script's <c>payload</c> by the webhook's payload type (the request's
/// Content-Type is ignored): GET gives the query string's fields; JSON bodies must parse (an empty
/// one is <c>{}</c>); form bodies give their fields. Invalid UTF-8 is refused in both.
/// </summary>
public static class PayloadParser
{
    public const string InvalidJson = "Invalid JSON payload";
    public const string InvalidForm = "Invalid form payload";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static ParsedPayload ParseJson(ReadOnlySpan<byte> body)
    {
        if (IsBlank(body))
        {
            return new ParsedPayload("{}", null);
        }

        try
        {
            // Validation only: Utf8JsonReader refuses invalid UTF-8 and malformed JSON alike.
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!JsonDocument.TryParseValue(ref reader, out var document))
            {
                return new ParsedPayload(null, InvalidJson);
            }

            document.Dispose();
            if (reader.BytesConsumed != body.Length && !IsBlank(body[(int)reader.BytesConsumed..]))
            {
                return new ParsedPayload(null, InvalidJson);
            }

            return new ParsedPayload(StrictUtf8.GetString(body), null);
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
