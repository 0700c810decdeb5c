namespace Tower.Contracts.Scripts;

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
