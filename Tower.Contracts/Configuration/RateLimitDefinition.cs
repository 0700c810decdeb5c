namespace Tower.Contracts.Configuration;

/// <summary>
/// A webhook's rate limit (spec §10): at most <see cref="Requests"/> calls per
/// <see cref="PerSeconds"/>, counted per client address or for the whole webhook, per gateway
/// replica. Nullable so that validation can name what is missing; stored complete.
/// </summary>
public sealed record RateLimitDefinition
{
    public const string ByClientIp = "client_ip";
    public const string ByWebhook = "webhook";

    public int? Requests { get; init; }

    public int? PerSeconds { get; init; }

    /// <summary><c>client_ip</c> (default) or <c>webhook</c>.</summary>
    public string? By { get; init; }
}
