using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Tower.Scripting;

// The members below are the names scripts use, so they follow the spec (payload, raw_body,
// exit_code), not .NET naming.
#pragma warning disable IDE1006

/// <summary>The globals both kinds of script see, plus the signature helpers.</summary>
public abstract class ScriptGlobals
{
    public JsonNode? payload { get; init; }
    public IReadOnlyDictionary<string, string> headers { get; init; } = EmptyMap;
    public IReadOnlyDictionary<string, string> query { get; init; } = EmptyMap;
    public string raw_data { get; init; } = "";
    public ReadOnlyMemory<byte> raw_body { get; init; }
    public IReadOnlyDictionary<string, string> variables { get; init; } = EmptyMap;
    public IReadOnlyDictionary<string, string> secrets { get; init; } = EmptyMap;
    public ScriptLog log { get; internal init; } = new(EmptyMap);

    internal static readonly IReadOnlyDictionary<string, string> EmptyMap =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase).AsReadOnly();

    public string HmacSha1Hex(string key) => Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(key), raw_body.Span));
    public string HmacSha256Hex(string key) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), raw_body.Span));
    public string HmacSha512Hex(string key) => Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes(key), raw_body.Span));
    public string HmacSha1Base64(string key) => Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(key), raw_body.Span));
    public string HmacSha256Base64(string key) => Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), raw_body.Span));
    public string HmacSha512Base64(string key) => Convert.ToBase64String(HMACSHA512.HashData(Encoding.UTF8.GetBytes(key), raw_body.Span));

    /// <summary>Compares two texts in time that does not depend on where they differ.</summary>
    public static bool FixedTimeEquals(string? a, string? b) =>
        a is not null && b is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}

public sealed class WebhookGlobals : ScriptGlobals
{
    public ScriptUser user { get; init; } = new("", "");
    public ScriptHttp http { get; } = new();
    public WebhookResult result { get; set; } = new();
}

public sealed class AuthenticatorGlobals : ScriptGlobals
{
    public AuthenticatorResult result { get; set; } = new();
}

public sealed class WebhookResult
{
    public int exit_code { get; set; }
    public string? message { get; set; }

    /// <summary>The HTTP status to answer with (200-599), whatever <see cref="exit_code"/> says (spec §13).</summary>
    public int? status_code { get; set; }

    /// <summary>Sent as is instead of <c>{"message": …}</c> (at most 1 MiB of UTF-8).</summary>
    public string? body { get; set; }

    /// <summary>The body's content type; <c>text/plain; charset=utf-8</c> when a body is set without one.</summary>
    public string? content_type { get; set; }

    /// <summary>Response headers the code sets (not Content-Length, Transfer-Encoding, Connection or X-Tower-*).</summary>
    public Dictionary<string, string> headers { get; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class AuthenticatorResult
{
    public bool allowed { get; set; }
    public int? http_code { get; set; }
    public string? message { get; set; }
}

public sealed record ScriptUser(string login, string group);

/// <summary>
/// Lines a script writes: at most 100 are kept (later ones are dropped, the call goes on), each
/// masked and cut to 1,000 characters as it is written, so a chatty script holds little.
/// </summary>
public sealed class ScriptLog
{
    public const int MaxLines = 100;

    private readonly List<string> _lines = [];
    private readonly IReadOnlyDictionary<string, string> _secrets;

    /// <param name="secrets">The values to mask in every line.</param>
    internal ScriptLog(IReadOnlyDictionary<string, string> secrets) => _secrets = secrets;

    /// <summary>The lines so far (work a script left running may still be adding some).</summary>
    internal string[] Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public void info(string? text) => Add("INFO", text);
    public void warning(string? text) => Add("WARNING", text);
    public void error(string? text) => Add("ERROR", text);

    private void Add(string level, string? text)
    {
        lock (_lines)
        {
            if (_lines.Count < MaxLines)
            {
                _lines.Add($"{level}: {ScriptOutput.Clean(text ?? "", _secrets, ScriptOutput.MaxLogLineLength)}");
            }
        }
    }
}
