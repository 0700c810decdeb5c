namespace Tower.Contracts.Async;

/// <summary>How an attempt ended, once its record is durable (gateway → Logging).</summary>
public sealed record AsyncCompletion
{
    /// <summary>The call's code ran successfully: the job and its request are deleted.</summary>
    public const string Done = "done";

    /// <summary>The attempt failed: the next one is due after <see cref="WaitSeconds"/>.</summary>
    public const string Again = "again";

    /// <summary>The last attempt failed: nothing more is queued and the request is deleted.</summary>
    public const string Dead = "dead";

    /// <summary>The attempt did not run (no concurrency slot yet): due again after <see cref="WaitSeconds"/>, same number.</summary>
    public const string Released = "released";

    public required Guid CallId { get; init; }

    /// <summary>The lease the attempt ran under: after it ran out (another replica may hold the job), the completion changes nothing.</summary>
    public required Guid LeaseId { get; init; }
    public required int Attempt { get; init; }
    public required string Outcome { get; init; }
    public int WaitSeconds { get; init; }
}
