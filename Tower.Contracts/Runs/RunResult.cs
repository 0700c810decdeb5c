namespace Tower.Contracts.Runs;

/// <summary>How a test or replay run ended (spec §12), as its call record says.</summary>
public sealed record RunResult
{
    public required int HttpStatus { get; init; }
    public required string Message { get; init; }
    public required string AuthenticationStatus { get; init; }
    public required string CodeStatus { get; init; }
    public required string ScriptLog { get; init; }
    public required string ErrorMessage { get; init; }
    public required double DurationMs { get; init; }
    public required Guid CallId { get; init; }
}
