
namespace Tower.Logging.Calls;

public sealed record CallQuery(
    string? Webhook, string? Authenticator, string? Endpoint, int? HttpStatus,
    DateTimeOffset? From, DateTimeOffset? To, CallCursor? After, int Limit)
{
    /// <summary>A class of statuses (500-599 for <c>5xx</c>), when asked instead of one status.</summary>
    public int? HttpStatusFrom { get; init; }
    public int? HttpStatusTo { get; init; }
    public string? Source { get; init; }

    /// <summary>The resolved client address (<c>ip_address</c>), normalized.</summary>
    public string? ClientIp { get; init; }

    /// <summary>The accepted async call whose attempts are asked for.</summary>
    public Guid? ParentId { get; init; }

    /// <summary>Text that <c>result_message</c> or <c>error_message</c> holds (case-insensitive).</summary>
    public string? Text { get; init; }
}
