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

    /// <summary>Webhook result (spec §13): the HTTP status the code chose, whatever its exit code.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Webhook result: a body sent as is instead of <c>{"message": …}</c>, secrets masked.</summary>
    public string? Body { get; init; }

    /// <summary>Webhook result: the body's content type, when the code chose one.</summary>
    public string? ContentType { get; init; }

    /// <summary>Webhook result: response headers the code set, checked and secrets masked.</summary>
    public IReadOnlyDictionary<string, string> ResponseHeaders { get; init; } = NoHeaders;

    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>().AsReadOnly();
    public IReadOnlyList<string> Log { get; init; } = [];

    /// <summary>For the call log only; never shown to the caller.</summary>
    public string? Error { get; init; }
    public double DurationMs { get; init; }
}
