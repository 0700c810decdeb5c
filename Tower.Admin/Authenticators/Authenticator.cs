using System.Text.Json.Serialization;
using Tower.Contracts.Configuration;

namespace Tower.Admin.Authenticators;

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

    /// <summary>The signature verifier checked before the code (spec §11), with its kind's defaults; null for none.</summary>
    public VerifierDefinition? Verifier { get; init; }

    /// <summary>The lockout of addresses that fail too often (spec §10); null for none.</summary>
    public LockoutDefinition? Lockout { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public string UpdatedBy { get; init; } = "";
    public DateTime UpdatedAt { get; init; }

    /// <summary>Replaced by every write; the authenticator's ETag, not a field of the API.</summary>
    [JsonIgnore]
    public Guid Version { get; init; }

    /// <summary>Only in the list of <c>?invalid=true</c>: why the sandbox's current rules refuse the stored code.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? CodeErrors { get; init; }
}
