using System.Collections.Frozen;
using Tower.Contracts.Configuration;

namespace Tower.Gateway.Configuration;

/// <summary>An enabled webhook ready for the hot path.</summary>
public sealed record LiveWebhook(
    WebhookDefinition Definition, LiveAuthenticator Authenticator,
    IReadOnlyDictionary<string, string> Variables, IReadOnlyDictionary<string, string> Secrets)
{
    /// <summary>Values the call log must not show: every secret linked to the webhook or its authenticator.</summary>
    public FrozenSet<string> SecretValues { get; } =
        Secrets.Values.Concat(Authenticator.Secrets.Values).Where(value => value.Length > 0).ToFrozenSet(StringComparer.Ordinal);
}
