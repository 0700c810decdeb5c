namespace Tower.Contracts.Scripts;

/// <summary>The first fields of an encoded call: what Auth and Executor read to route it to a worker.</summary>
/// <param name="CallId">The call's id, for the service's own log.</param>
/// <param name="CodeHash">The hash that names the compiled script.</param>
/// <param name="Owner">The reference of the webhook or authenticator that owns the code.</param>
/// <param name="Share">The webhook whose share of the service's workers the call uses (spec §14); empty for none.</param>
/// <param name="TimeoutMs">The script's own limit.</param>
public readonly record struct ScriptCallHeader(Guid CallId, string CodeHash, string Owner, string Share, int TimeoutMs);
