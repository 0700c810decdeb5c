namespace Tower.Contracts.Calls;

/// <summary>One request that reached the webhook route, with everything the call log keeps.</summary>
public sealed record WebhookCallRecord
{
    /// <summary>UUIDv7 chosen by the gateway; also sent to the caller as <c>X-Tower-Call-Id</c>.</summary>
    public required Guid Id { get; init; }

    /// <summary>When the gateway received the call.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    public string Webhook { get; init; } = "";
    public string Authenticator { get; init; } = "";
    public required string Endpoint { get; init; }
    public required string RequestMethod { get; init; }

    /// <summary>The request headers as a JSON object, already redacted.</summary>
    public required string RequestHeaders { get; init; }

    /// <summary>The query string's fields as a JSON object.</summary>
    public required string RequestQuery { get; init; }

    /// <summary>The parsed payload as JSON when <see cref="PayloadIsJson"/>, otherwise the raw text.</summary>
    public string RequestPayload { get; init; } = "";
    public bool PayloadIsJson { get; init; }

    public required string AuthenticationStatus { get; init; }
    public required string CodeStatus { get; init; }
    public required int HttpStatus { get; init; }
    public string ResultMessage { get; init; } = "";
    public string ErrorMessage { get; init; } = "";
    public string ScriptLog { get; init; } = "";
    public required string IpAddress { get; init; }
    public required string PeerIp { get; init; }
    public string RunAsUser { get; init; } = "";
    public required double DurationMs { get; init; }

    /// <summary>What made the call (<see cref="CallSource"/>): a caller, a test, a replay or an async attempt.</summary>
    public string Source { get; init; } = CallSource.Call;

    /// <summary>The call whose answer a duplicate got again (dedup).</summary>
    public Guid? DuplicateOf { get; init; }

    /// <summary>The accepted async call an attempt belongs to.</summary>
    public Guid? ParentId { get; init; }

    /// <summary>The attempt's number (1, 2, …) of an async call.</summary>
    public int? Attempt { get; init; }

    /// <summary>The logged call a replay ran again.</summary>
    public Guid? ReplayOf { get; init; }

    /// <summary>
    /// An accepted async call's request (<c>Async.AsyncRequest</c>), sealed: Logging stores it as the
    /// call's job in the same transaction as the record, never in the log (spec §14).
    /// </summary>
    public byte[]? QueuedRequest { get; init; }
}
