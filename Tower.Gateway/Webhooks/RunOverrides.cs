using System.Net;
using Tower.Contracts.Calls;
using Tower.Gateway.Configuration;

namespace Tower.Gateway.Webhooks;

/// <summary>
/// What differs when a call is a test or a replay (spec §12) rather than a request to the public
/// route: the webhook is given (disabled or with draft code), the client address is taken as
/// given, traffic control is neither applied nor counted, a replay skips authentication, and the
/// record says where it came from. The record made is left here for the caller.
/// </summary>
internal sealed class RunOverrides
{
    /// <summary>Where the overrides of a run sit in its context's items.</summary>
    public static readonly object Key = new();

    public required LiveWebhook Webhook { get; init; }
    public required IPAddress ClientIp { get; init; }
    public required string Source { get; init; }
    public Guid? ReplayOf { get; init; }

    /// <summary>For a replay: authentication is skipped and the record keeps this status.</summary>
    public string? AuthenticationStatus { get; init; }

    /// <summary>The call's record, once made.</summary>
    public WebhookCallRecord? Record { get; set; }
}
