using Tower.Contracts.Configuration;

namespace Tower.Admin.Webhooks;

/// <summary>A webhook as stored.</summary>
public sealed record Webhook
{
    public const string DefaultMethod = "POST";
    public const string DefaultPayloadType = "json";
    public const int DefaultTimeoutMs = 10000;
    public const int MinTimeoutMs = 100;
    public const int MaxTimeoutMs = 30000;

    public required string Reference { get; init; }
    public required string Name { get; init; }
    public required bool Enabled { get; init; }
    public required string Authenticator { get; init; }
    public required string Endpoint { get; init; }
    public required string Method { get; init; }
    public required string PayloadType { get; init; }
    public required string RunAsUser { get; init; }
    public required string Code { get; init; }
    public string? CodeHash { get; init; }
    public required string[] Variables { get; init; }
    public required string[] Secrets { get; init; }
    public required int TimeoutMs { get; init; }
    public RateLimitDefinition? RateLimit { get; init; }
    public int? MaxConcurrency { get; init; }
    public DedupDefinition? Dedup { get; init; }
    public string ResponseMode { get; init; } = ResponseModes.Sync;
    public RetryDefinition? Retry { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public string UpdatedBy { get; init; } = "";
    public DateTime UpdatedAt { get; init; }

    /// <summary>Replaced by every write; the webhook's ETag.</summary>
    public Guid Version { get; init; }
}
