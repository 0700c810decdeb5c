namespace Tower.Contracts.Scripts;

/// <summary>
/// What the gateway sends to Auth or Executor to run one script for one call. The script is
/// named by its hash; the service fetches and compiles the text only on a cache miss.
/// </summary>
public sealed record ScriptInvocation
{
    public required Guid CallId { get; init; }
    public required string CodeHash { get; init; }

    /// <summary>The reference of the webhook or authenticator that owns the code.</summary>
    public required string Owner { get; init; }

    /// <summary>
    /// The webhook whose share of the service's workers this call uses: a webhook without its own
    /// <c>max_concurrency</c> may hold at most half of them at once (spec §14). Empty: no share applies.
    /// </summary>
    public string Share { get; init; } = "";
    public required int TimeoutMs { get; init; }
    public required byte[] Body { get; init; }

    /// <summary>The parsed payload as JSON text (for form posts, an object of strings).</summary>
    public required string PayloadJson { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required IReadOnlyDictionary<string, string> Query { get; init; }
    public required IReadOnlyDictionary<string, string> Variables { get; init; }
    public required IReadOnlyDictionary<string, string> Secrets { get; init; }
    public string RunAsUser { get; init; } = "";
    public string RunAsGroup { get; init; } = "";
}
