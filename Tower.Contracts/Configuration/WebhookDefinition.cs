namespace Tower.Contracts.Configuration;

public sealed record WebhookDefinition
{
    public required string Reference { get; init; }
    public required string Name { get; init; }
    public required string Authenticator { get; init; }
    public required string Endpoint { get; init; }
    public required string Method { get; init; }
    public required string PayloadType { get; init; }
    public required string RunAsUser { get; init; }
    public required string RunAsGroup { get; init; }

    /// <summary>The script's identity (see <c>ScriptIdentity</c>); null when the webhook has no code.</summary>
    public string? CodeHash { get; init; }
    public required int TimeoutMs { get; init; }
    public required IReadOnlyList<string> Variables { get; init; }
    public required IReadOnlyList<string> Secrets { get; init; }

    /// <summary>The webhook's rate limit (spec §10), if any.</summary>
    public RateLimitDefinition? RateLimit { get; init; }

    /// <summary>How many of its calls may be between step 7 and the end of their code at once, if limited.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>The webhook's deduplication (spec §10), if any.</summary>
    public DedupDefinition? Dedup { get; init; }

    /// <summary><c>sync</c> or <c>async</c> (<see cref="ResponseModes"/>).</summary>
    public string ResponseMode { get; init; } = ResponseModes.Sync;

    /// <summary>The attempts of an async webhook, complete; null for a sync one.</summary>
    public RetryDefinition? Retry { get; init; }
}
