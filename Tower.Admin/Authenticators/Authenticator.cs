using System.Text.Json.Serialization;

namespace Tower.Admin.Authenticators;

/// <summary>What a client sends to create or replace an authenticator; omitted fields take their defaults.</summary>
public sealed record AuthenticatorInput(
    string? Reference, string? Name, string? AllowedIps, string? TrustedProxyIps, string? Code,
    IReadOnlyList<string>? Variables, IReadOnlyList<string>? Secrets);

/// <summary>An authenticator as stored and shown.</summary>
public sealed record Authenticator
{
    public required string Reference { get; init; }
    public required string Name { get; init; }
    public required string AllowedIps { get; init; }
    public required string TrustedProxyIps { get; init; }
    public required string Code { get; init; }
    /// <summary>The script's identity, for the gateway's snapshot; not part of the API.</summary>
    [JsonIgnore]
    public string? CodeHash { get; init; }
    public required string[] Variables { get; init; }
    public required string[] Secrets { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public string UpdatedBy { get; init; } = "";
    public DateTime UpdatedAt { get; init; }
}
