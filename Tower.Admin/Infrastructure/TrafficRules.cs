using Tower.Contracts.Configuration;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// The rules of traffic control's options (spec §10): a webhook's <c>rate_limit</c> and
/// <c>max_concurrency</c>, an authenticator's <c>lockout</c>. Each broken rule names its field
/// (<c>rate_limit.per_seconds</c>…); what passes comes back complete, defaults filled in.
/// </summary>
public static class TrafficRules
{
    public const int MaxRateWindowSeconds = 3600;
    public const int MaxLockoutWindowSeconds = 3600;
    public const int MaxBlockSeconds = 86_400;

    public static RateLimitDefinition? CheckRateLimit(RateLimitDefinition? limit, ValidationErrors errors)
    {
        if (limit is null)
        {
            return null;
        }

        Range("rate_limit.requests", limit.Requests, 1, int.MaxValue, errors);
        Range("rate_limit.per_seconds", limit.PerSeconds, 1, MaxRateWindowSeconds, errors);
        var by = limit.By ?? RateLimitDefinition.ByClientIp;
        if (by is not (RateLimitDefinition.ByClientIp or RateLimitDefinition.ByWebhook))
        {
            errors.Add("rate_limit.by", $"'{by}' is not a way to count: use {RateLimitDefinition.ByClientIp} (each client address its own count) or {RateLimitDefinition.ByWebhook} (one count for all callers).");
        }

        return limit with { By = by };
    }

    public static int? CheckMaxConcurrency(int? maxConcurrency, ValidationErrors errors)
    {
        if (maxConcurrency is < 1)
        {
            errors.Add("max_concurrency", "max_concurrency must be at least 1, or null for no limit of the webhook's own.");
        }

        return maxConcurrency;
    }

    /// <summary>
    /// <c>response_mode</c> (default <c>sync</c>) and <c>retry</c>: an async webhook's retry comes
    /// back complete (defaults filled in); a sync webhook may not have one (spec §14).
    /// </summary>
    public static (string Mode, RetryDefinition? Retry) CheckResponseMode(string? mode, RetryDefinition? retry, ValidationErrors errors)
    {
        mode ??= ResponseModes.Sync;
        if (mode is not (ResponseModes.Sync or ResponseModes.Async))
        {
            errors.Add("response_mode", $"'{mode}' is not a response mode: use {ResponseModes.Sync} (the caller waits for the code) or {ResponseModes.Async} (202 at once, the code runs later with retries).");
            return (mode, retry);
        }

        if (mode == ResponseModes.Sync)
        {
            if (retry is not null)
            {
                errors.Add("retry", "retry applies to async webhooks only: set response_mode to async, or leave retry out.");
            }

            return (mode, null);
        }

        retry ??= new RetryDefinition();
        var complete = new RetryDefinition
        {
            MaxAttempts = retry.MaxAttempts ?? RetryDefinition.DefaultMaxAttempts,
            BackoffSeconds = retry.BackoffSeconds ?? RetryDefinition.DefaultBackoffSeconds,
        };
        Range("retry.max_attempts", complete.MaxAttempts, 1, RetryDefinition.MaxMaxAttempts, errors);
        Range("retry.backoff_seconds", complete.BackoffSeconds, 1, RetryDefinition.MaxBackoffSeconds, errors);
        return (mode, complete);
    }

    public static DedupDefinition? CheckDedup(DedupDefinition? dedup, ValidationErrors errors)
    {
        if (dedup is null)
        {
            return null;
        }

        switch (dedup.Source)
        {
            case DedupDefinition.FromHeader when !Tower.Contracts.Networking.HttpToken.IsValid(dedup.Key):
                errors.Add("dedup.key", $"'{dedup.Key}' is not a header name.");
                break;
            case DedupDefinition.FromJson when dedup.Key is null || !dedup.Key.StartsWith('/'):
                errors.Add("dedup.key", $"'{dedup.Key}' is not a JSON pointer: write one such as /id or /data/event_id.");
                break;
            case DedupDefinition.FromHeader or DedupDefinition.FromJson:
                break;
            default:
                errors.Add("dedup.source", $"'{dedup.Source}' is not a source of keys: use {DedupDefinition.FromHeader} (a header's value) or {DedupDefinition.FromJson} (a value of the payload).");
                break;
        }

        if (dedup.WindowSeconds is < 1 or > DedupDefinition.MaxWindowSeconds)
        {
            errors.Add("dedup.window_seconds", $"window_seconds must be between 1 and {DedupDefinition.MaxWindowSeconds}.");
        }

        return dedup with { WindowSeconds = dedup.WindowSeconds ?? DedupDefinition.DefaultWindowSeconds };
    }

    public static LockoutDefinition? CheckLockout(LockoutDefinition? lockout, ValidationErrors errors)
    {
        if (lockout is null)
        {
            return null;
        }

        Range("lockout.failures", lockout.Failures, 1, int.MaxValue, errors);
        Range("lockout.window_seconds", lockout.WindowSeconds, 1, MaxLockoutWindowSeconds, errors);
        Range("lockout.block_seconds", lockout.BlockSeconds, 1, MaxBlockSeconds, errors);
        return lockout;
    }

    private static void Range(string field, int? value, int min, int max, ValidationErrors errors)
    {
        var name = field[(field.IndexOf('.') + 1)..];
        if (value is null)
        {
            errors.Add(field, $"{name} is required.");
        }
        else if (value < min || value > max)
        {
            errors.Add(field, max == int.MaxValue ? $"{name} must be at least {min}." : $"{name} must be between {min} and {max}.");
        }
    }
}
