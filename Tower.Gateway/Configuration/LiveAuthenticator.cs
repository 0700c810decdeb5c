using Tower.Contracts.Configuration;
using Tower.Contracts.Networking;
using Tower.Gateway.Verification;

namespace Tower.Gateway.Configuration;

/// <summary>
/// An authenticator ready for the hot path: its address lists parsed, its values resolved, its
/// signature verifier (if any) holding its keys. <see cref="Secrets"/> includes the verifier's
/// secrets: they count as linked secrets (masked in the script's output, redacted in the log).
/// </summary>
public sealed record LiveAuthenticator(
    string Reference, IpRangeList AllowedIps, IpRangeList TrustedProxies, string? CodeHash,
    IReadOnlyDictionary<string, string> Variables, IReadOnlyDictionary<string, string> Secrets, SignatureVerifier? Verifier,
    LockoutDefinition? Lockout);
