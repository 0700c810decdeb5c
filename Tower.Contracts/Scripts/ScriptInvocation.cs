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

/// <summary>How one script run ended.</summary>
public enum ScriptRunStatus
{
    /// <summary>The script ran to its end; the result fields hold what it set.</summary>
    Completed,

    /// <summary>The script threw, or its code could not be compiled or was refused.</summary>
    Failed,

    /// <summary>The script ran past its deadline and was stopped.</summary>
    TimedOut,
}

/// <summary>The outcome of one script run, with secret values already masked.</summary>
public sealed record ScriptOutcome
{
    public required ScriptRunStatus Status { get; init; }

    /// <summary>Authenticator result: whether the call may go on.</summary>
    public bool Allowed { get; init; }

    /// <summary>Authenticator result: the status to answer with when not allowed.</summary>
    public int? HttpCode { get; init; }

    /// <summary>Webhook result: 0 for success.</summary>
    public int ExitCode { get; init; }
    public string? Message { get; init; }
    public IReadOnlyList<string> Log { get; init; } = [];

    /// <summary>For the call log only; never shown to the caller.</summary>
    public string? Error { get; init; }
    public double DurationMs { get; init; }
}
