using Tower.Contracts.Configuration;

namespace Tower.Contracts.Runs;

/// <summary>
/// A call the Admin service asks the gateway to run through the flow of spec §3 without the
/// public route (spec §12): a test of a webhook (perhaps with draft code) or a replay of a
/// logged call. The webhook comes whole with what it needs, so that a disabled webhook runs too.
/// </summary>
public sealed record RunRequest
{
    /// <summary>The webhook, its authenticator and the values they link (drafts as their script identities).</summary>
    public required ConfigSnapshot Snapshot { get; init; }

    public required string Webhook { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required IReadOnlyDictionary<string, string> Query { get; init; }
    public required byte[] Body { get; init; }

    /// <summary>The client address as given: no proxy rules apply.</summary>
    public required string ClientIp { get; init; }

    /// <summary><c>test</c> or <c>replay</c> (<see cref="Calls.CallSource"/>).</summary>
    public required string Source { get; init; }

    public Guid? ReplayOf { get; init; }

    /// <summary>For a replay: authentication is skipped and the record keeps this status.</summary>
    public string? AuthenticationStatus { get; init; }
}
