using System.Text;
using Tower.Contracts.Networking;
using Tower.Contracts.Scripts;

namespace Tower.Scripting;

/// <summary>
/// The answer a webhook's code chose (spec §13): <c>result.status_code</c>, <c>body</c>,
/// <c>content_type</c> and <c>headers</c>, checked and with secret values masked. What breaks a
/// rule makes the run fail, with an error naming the field.
/// </summary>
internal static class CustomResponse
{
    /// <summary>The largest body sent, in UTF-8 bytes.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private static readonly string[] RefusedHeaders = ["Content-Length", "Transfer-Encoding", "Connection"];

    /// <summary>The outcome with the code's answer, or a failed one when that answer breaks a rule.</summary>
    public static ScriptOutcome Apply(ScriptOutcome outcome, WebhookResult result, IReadOnlyDictionary<string, string> secrets)
    {
        var error = Check(result, secrets);
        if (error is not null)
        {
            return outcome with { Status = ScriptRunStatus.Failed, Message = null, Error = ScriptOutput.Clean(error, secrets, ScriptOutput.MaxMessageLength) };
        }

        if (result.status_code is null && result.body is null && result.content_type is null && result.headers.Count == 0)
        {
            return outcome;
        }

        var headers = new Dictionary<string, string>(result.headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in result.headers)
        {
            headers[name] = ScriptOutput.MaskSecrets(value, secrets);
        }

        return outcome with
        {
            StatusCode = result.status_code,
            Body = result.body is { } body ? ScriptOutput.MaskSecrets(body, secrets) : null,
            ContentType = result.content_type is { } contentType ? ScriptOutput.MaskSecrets(contentType, secrets) : null,
            ResponseHeaders = headers.AsReadOnly(),
        };
    }

    private static string? Check(WebhookResult result, IReadOnlyDictionary<string, string> secrets)
    {
        if (result.status_code is { } status and (< 200 or > 599))
        {
            return $"result.status_code must be between 200 and 599, not {status}.";
        }

        if (result.body is { } body && (body.Length > MaxBodyBytes || Encoding.UTF8.GetByteCount(body) > MaxBodyBytes))
        {
            return $"result.body is larger than {MaxBodyBytes} bytes of UTF-8.";
        }

        if (result.content_type is { } contentType && !IsHeaderValue(contentType))
        {
            return "result.content_type has a character not allowed in a header value.";
        }

        foreach (var (name, value) in result.headers)
        {
            if (!HttpToken.IsValid(name))
            {
                return $"result.headers has a name that is not a valid header name: \"{ScriptOutput.MaskSecrets(name, secrets)}\".";
            }

            // A name is not masked (two masked names could collide): one that holds a secret is refused.
            if (ScriptOutput.MaskSecrets(name, secrets) != name)
            {
                return "result.headers has a name that holds a secret's value.";
            }

            if (RefusedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase) || name.StartsWith("X-Tower-", StringComparison.OrdinalIgnoreCase))
            {
                return $"result.headers may not set {name}: Content-Length, Transfer-Encoding, Connection and X-Tower-* are the gateway's.";
            }

            if (value is null || !IsHeaderValue(value))
            {
                return $"result.headers[\"{name}\"] has a character not allowed in a header value.";
            }
        }

        return null;
    }

    /// <summary>Visible ASCII, spaces and tabs: no line break can split a header in two.</summary>
    private static bool IsHeaderValue(string value) => value.All(c => c == '\t' || (c >= ' ' && c != '\x7f' && c < 128));
}
