
namespace Tower.Logging.Calls;

/// <summary>A stored call as the database returns it (columns map by name, underscores ignored).</summary>
public sealed record CallRow
{
    public Guid Id { get; init; }
    public DateTime CreatedAt { get; init; }
    public string Webhook { get; init; } = "";
    public string Authenticator { get; init; } = "";
    public string Endpoint { get; init; } = "";
    public string RequestMethod { get; init; } = "";
    public string RequestHeaders { get; init; } = "{}";
    public string RequestQuery { get; init; } = "{}";
    public string? RequestPayload { get; init; }
    public string? RequestPayloadText { get; init; }
    public string AuthenticationStatus { get; init; } = "";
    public string CodeStatus { get; init; } = "";
    public int HttpStatus { get; init; }
    public string ResultMessage { get; init; } = "";
    public string ErrorMessage { get; init; } = "";
    public string ScriptLog { get; init; } = "";
    public string IpAddress { get; init; } = "";
    public string PeerIp { get; init; } = "";
    public string Country { get; init; } = "";
    public string RunAsUser { get; init; } = "";
    public double DurationMs { get; init; }
    public string Source { get; init; } = "call";
    public Guid? DuplicateOf { get; init; }
    public Guid? ParentId { get; init; }
    public int? Attempt { get; init; }
    public Guid? ReplayOf { get; init; }
}
