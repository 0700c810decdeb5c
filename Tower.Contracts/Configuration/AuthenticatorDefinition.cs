namespace Tower.Contracts.Configuration;

public sealed record AuthenticatorDefinition
{
    public required string Reference { get; init; }
    public required string Name { get; init; }
    public required string AllowedIps { get; init; }
    public required string TrustedProxyIps { get; init; }
    public string? CodeHash { get; init; }
    public required IReadOnlyList<string> Variables { get; init; }
    public required IReadOnlyList<string> Secrets { get; init; }

    /// <summary>The signature verifier checked before the code (spec §11), if any.</summary>
    public VerifierDefinition? Verifier { get; init; }

    /// <summary>The lockout of client addresses that fail too often (spec §10), if any.</summary>
    public LockoutDefinition? Lockout { get; init; }
}
