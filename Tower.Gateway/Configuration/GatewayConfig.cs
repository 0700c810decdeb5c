using System.Collections.Frozen;
using Tower.Contracts.Configuration;
using Tower.Contracts.Networking;
using Tower.Gateway.Verification;

namespace Tower.Gateway.Configuration;

/// <summary>An immutable view of the configuration; replaced whole when a new snapshot arrives.</summary>
public sealed class GatewayConfig
{
    private readonly FrozenDictionary<string, LiveWebhook> _post;
    private readonly FrozenDictionary<string, LiveWebhook> _get;
    private readonly FrozenDictionary<string, LiveWebhook> _byReference;

    private GatewayConfig(FrozenDictionary<string, LiveWebhook> post, FrozenDictionary<string, LiveWebhook> get, DateTimeOffset takenAt)
    {
        _post = post;
        _get = get;
        _byReference = post.Values.Concat(get.Values).ToFrozenDictionary(webhook => webhook.Definition.Reference, StringComparer.Ordinal);
        TakenAt = takenAt;
    }

    public static GatewayConfig Empty { get; } = new(FrozenDictionary<string, LiveWebhook>.Empty, FrozenDictionary<string, LiveWebhook>.Empty, DateTimeOffset.MinValue);

    public DateTimeOffset TakenAt { get; }

    public int Count => _post.Count + _get.Count;

    /// <summary>The enabled webhook for this exact endpoint and method (case-sensitive), if any.</summary>
    public LiveWebhook? Match(string endpoint, string method) => method switch
    {
        "POST" => _post.GetValueOrDefault(endpoint),
        "GET" => _get.GetValueOrDefault(endpoint),
        _ => null,
    };

    /// <summary>The webhook with this reference, whichever its method.</summary>
    public LiveWebhook? Find(string reference) => _byReference.GetValueOrDefault(reference);

    public static GatewayConfig From(ConfigSnapshot snapshot)
    {
        IReadOnlyDictionary<string, string> Pick(IReadOnlyList<string> references, IReadOnlyDictionary<string, string> values) =>
            references.Where(values.ContainsKey).ToFrozenDictionary(reference => reference, reference => values[reference], StringComparer.Ordinal);

        var authenticators = snapshot.Authenticators.ToDictionary(
            a => a.Reference,
            a =>
            {
                var verifierSecrets = a.Verifier is { } verifier ? new[] { verifier.Secret, verifier.SecondarySecret }.OfType<string>().ToList() : [];
                var secrets = Pick([.. a.Secrets.Union(verifierSecrets)], snapshot.Secrets);
                return new LiveAuthenticator(
                    a.Reference,
                    IpRangeList.Parse(a.AllowedIps, out _),
                    IpRangeList.Parse(a.TrustedProxyIps, out _),
                    a.CodeHash,
                    Pick(a.Variables, snapshot.Variables),
                    secrets,
                    a.Verifier is null ? null : new SignatureVerifier(a.Verifier, verifierSecrets.Where(secrets.ContainsKey).Select(s => secrets[s]), TimeProvider.System),
                    a.Lockout);
            });

        var live = snapshot.Webhooks
            .Where(w => authenticators.ContainsKey(w.Authenticator))
            .Select(w => new LiveWebhook(w, authenticators[w.Authenticator], Pick(w.Variables, snapshot.Variables), Pick(w.Secrets, snapshot.Secrets)))
            .ToList();
        return new GatewayConfig(
            live.Where(w => w.Definition.Method == "POST").ToFrozenDictionary(w => w.Definition.Endpoint, StringComparer.Ordinal),
            live.Where(w => w.Definition.Method == "GET").ToFrozenDictionary(w => w.Definition.Endpoint, StringComparer.Ordinal),
            snapshot.TakenAt);
    }
}
