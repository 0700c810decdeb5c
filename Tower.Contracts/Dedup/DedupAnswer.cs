namespace Tower.Contracts.Dedup;

/// <summary>The whole answer of a call, kept so that its duplicates get it again (spec §10, §13).</summary>
public sealed record DedupAnswer
{
    public required int Status { get; init; }

    /// <summary>The JSON answer's message, when no body was sent instead.</summary>
    public required string Message { get; init; }

    public string? Body { get; init; }
    public string? ContentType { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
