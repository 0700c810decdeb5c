namespace Tower.Contracts.Configuration;

/// <summary>
/// The attempts of an async webhook (spec §10, §14): at most <see cref="MaxAttempts"/> per set,
/// waiting <see cref="BackoffSeconds"/> after the first failure, then twice as long after each
/// next one, up to an hour. Nullable so that validation can name what is wrong; stored complete.
/// </summary>
public sealed record RetryDefinition
{
    public const int DefaultMaxAttempts = 5;
    public const int MaxMaxAttempts = 20;
    public const int DefaultBackoffSeconds = 10;
    public const int MaxBackoffSeconds = 3600;

    public int? MaxAttempts { get; init; }

    public int? BackoffSeconds { get; init; }

    /// <summary>The wait after the <paramref name="failed"/>-th failed attempt of a set (1 for the first).</summary>
    public static TimeSpan WaitAfter(int failed, int backoffSeconds) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoffSeconds, backoffSeconds * Math.Pow(2, Math.Min(failed - 1, 20))));
}
