using Tower.Contracts.Networking;

namespace Tower.Gateway.Configuration;

/// <summary>An authenticator ready for the hot path: its address lists parsed, its values resolved.</summary>
public sealed record LiveAuthenticator(
    string Reference, IpRangeList AllowedIps, IpRangeList TrustedProxies, string? CodeHash,
    IReadOnlyDictionary<string, string> Variables, IReadOnlyDictionary<string, string> Secrets);
