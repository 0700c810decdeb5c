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
