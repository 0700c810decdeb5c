using System.Text.Json;
using Tower.Admin.Infrastructure;
using Tower.Contracts.Configuration;

namespace Tower.Admin.Authenticators;

/// <summary>
/// What a client sends to create or replace an authenticator; omitted fields take their defaults,
/// and the read-only fields a GET or a list shows (<c>code_errors</c> among them) are ignored.
/// </summary>
public sealed record AuthenticatorInput(
    string? Reference, string? Name, string? AllowedIps, string? TrustedProxyIps, string? Code,
    IReadOnlyList<string>? Variables, IReadOnlyList<string>? Secrets) : ResourceInput
{
    public JsonElement? CodeErrors { get; init; }

    /// <summary>The signature verifier (spec §11); null for none.</summary>
    public VerifierDefinition? Verifier { get; init; }

    /// <summary>The lockout of addresses that fail too often (spec §10); null for none.</summary>
    public LockoutDefinition? Lockout { get; init; }
}
