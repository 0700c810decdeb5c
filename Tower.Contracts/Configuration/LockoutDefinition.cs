namespace Tower.Contracts.Configuration;

/// <summary>
/// An authenticator's lockout (spec §10, §14): <see cref="Failures"/> refusals (a verifier's 401
/// or the code's <c>allowed = false</c>) from one client address within <see cref="WindowSeconds"/>
/// block that address for <see cref="BlockSeconds"/>, per gateway replica.
/// </summary>
public sealed record LockoutDefinition
{
    public int? Failures { get; init; }

    public int? WindowSeconds { get; init; }

    public int? BlockSeconds { get; init; }
}
