namespace Tower.Contracts.Configuration;

/// <summary>
/// Everything the gateway needs to answer calls without asking anyone: enabled webhooks, the
/// authenticators they use, and the values of the variables and secrets they link.
/// Served by the Admin service on an internal endpoint that requires the service credential.
/// </summary>
public sealed record ConfigSnapshot
{
    public required DateTimeOffset TakenAt { get; init; }
    public required IReadOnlyList<WebhookDefinition> Webhooks { get; init; }
    public required IReadOnlyList<AuthenticatorDefinition> Authenticators { get; init; }
    public required IReadOnlyDictionary<string, string> Variables { get; init; }
    public required IReadOnlyDictionary<string, string> Secrets { get; init; }
}
