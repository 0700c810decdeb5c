namespace Tower.Contracts.Configuration;

/// <summary>
/// Published by the Admin service after every committed change to webhooks, authenticators,
/// variables, secrets or users. Every gateway replica receives every event.
/// </summary>
public sealed record WebhookConfigChanged
{
    public required string Kind { get; init; }
    public required string Reference { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
}
