using Tower.Contracts.Calls;

namespace Tower.Logging.Calls;

/// <summary>A record ready to store, with the country of its client address.</summary>
public sealed record StoredCall(WebhookCallRecord Record, string Country);
