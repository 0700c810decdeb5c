using System.Text.Json.Serialization;

namespace Tower.Contracts.Async;

/// <summary>One attempt of an accepted async call, leased by a gateway replica from Logging's schedule.</summary>
public sealed record AsyncJob
{
    /// <summary>The accepted call's id: each attempt's record has it as <c>parent_id</c>.</summary>
    public required Guid CallId { get; init; }
    public required string Webhook { get; init; }

    /// <summary>This attempt's number (1, 2, …; continuing after a retry through the API).</summary>
    public required int Attempt { get; init; }

    /// <summary>The number of the first attempt of this set (1, or the first after a retry through the API).</summary>
    public required int SetStart { get; init; }

    /// <summary><c>async</c>, or <c>retry</c> for a set queued through the API.</summary>
    public required string Source { get; init; }

    /// <summary>The request (<see cref="AsyncRequest"/>), sealed.</summary>
    public required byte[] Request { get; init; }

    /// <summary>This lease: a completion counts only for the lease it names.</summary>
    public required Guid LeaseId { get; init; }

    /// <summary>When the replica received the lease, by its own clock (not sent).</summary>
    [JsonIgnore]
    public DateTimeOffset LeasedAt { get; init; }
}
