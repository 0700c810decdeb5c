using System.Collections.Frozen;
using System.ComponentModel.DataAnnotations;

namespace Tower.Gateway.Infrastructure;

public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>The largest request body accepted; larger ones get 413.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How long an authenticator's code may run.</summary>
    [Range(100, 30000)]
    public int AuthenticatorTimeoutMs { get; set; } = 2000;

    /// <summary>How many persistent connections carry the calls to each of Auth and Executor (one is enough on one machine).</summary>
    [Range(1, 64)]
    public int ScriptHopConnections { get; set; } = 1;

    /// <summary>How often the full configuration is reloaded even without change events (a backstop).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the first load from Admin may take before the saved snapshot is served instead.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan StartupLoadTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Where the gateway keeps its state between runs (the saved configuration snapshot).</summary>
    [Required]
    public string StateDirectory { get; set; } = "state";

    /// <summary>
    /// The key that encrypts the saved snapshot (it holds secret values); the launcher keeps it
    /// apart from <see cref="StateDirectory"/>. Without one the snapshot is not saved.
    /// </summary>
    public string? SnapshotKey { get; set; }

    /// <summary>
    /// Seals the requests of accepted async calls while they wait in the schedule (spec §14), so
    /// that neither the broker, the spill nor the database holds them in clear; the launcher
    /// derives it from the secrets key (<c>AsyncRequestKey</c>), which the gateway never gets.
    /// </summary>
    [Required]
    public string AsyncRequestKey { get; set; } = "";

    /// <summary>How long the broker may take to confirm a batch of call records before they go to the spill.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Where call records wait, flushed to disk, while the broker does not confirm them.</summary>
    [Required]
    public string SpillDirectory { get; set; } = "spill";

    /// <summary>Headers stored as <c>*****</c> in call logs, besides the built-in ones.</summary>
    public List<string> RedactedHeaders { get; set; } = [];

    private static readonly string[] AlwaysRedacted = ["Authorization", "Cookie", "Proxy-Authorization", "X-Api-Key"];

    private FrozenSet<string>? _redactedHeaderSet;

    /// <summary>
    /// Whether a header is stored as <c>*****</c>: the built-in and the configured ones, in a set
    /// built on first use (a method, so that configuration binding never builds it early).
    /// </summary>
    public bool IsRedactedHeader(string name) =>
        (_redactedHeaderSet ??= AlwaysRedacted.Concat(RedactedHeaders).ToFrozenSet(StringComparer.OrdinalIgnoreCase)).Contains(name);
}
