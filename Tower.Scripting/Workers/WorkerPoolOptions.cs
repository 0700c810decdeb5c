using System.ComponentModel.DataAnnotations;

namespace Tower.Scripting.Workers;

public sealed class WorkerPoolOptions
{
    public const string Section = "Scripting";

    /// <summary>
    /// How many worker processes run scripts at once (each runs one call at a time); at least two,
    /// so that a webhook's share (half of them, spec §14) never is all of them. By default twice
    /// the cores, at least 4, so that one webhook alone can still keep every core busy: with as
    /// many workers as cores (2 here) the standard call fell from 3,705 to 2,737 calls/s, with 4
    /// it ran 3,102 (one bench/run.sh --quick run each, 2026-12-01).
    /// </summary>
    [Range(2, 64)]
    public int Workers { get; set; } = Math.Max(4, 2 * Environment.ProcessorCount);

    /// <summary>The managed heap limit of each worker.</summary>
    [Range(32, 4096)]
    public int WorkerHeapLimitMb { get; set; } = 256;

    /// <summary>The dedicated unprivileged user workers run as when the service runs as root (created when missing).</summary>
    [Required]
    [RegularExpression("^[a-z_][a-z0-9_-]{0,31}$")]
    public string WorkerUser { get; set; } = "tower-script";

    /// <summary>Whether workers run in namespaces of their own (bubblewrap) where the host allows it.</summary>
    public bool WorkerNamespaces { get; set; } = true;

    /// <summary>How many compiled scripts a worker keeps loaded; the least recently used are unloaded.</summary>
    [Range(1, 100000)]
    public int MaxLoadedScriptsPerWorker { get; set; } = 256;

    /// <summary>The assembly started as a worker (the service's own, by default).</summary>
    public string? WorkerHostAssembly { get; set; }

    /// <summary>Hosts that the <c>http</c> global may reach even when they resolve to private or loopback addresses.</summary>
    public List<string> HttpAllowedHosts { get; set; } = [];

    /// <summary>The largest response body the <c>http</c> global accepts.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int HttpMaxResponseBytes { get; set; } = ScriptHttpPolicy.DefaultMaxResponseBytes;

    /// <summary>
    /// How long past a script's own limit the service waits before it kills the worker; less than
    /// the 3 s the gateway waits past that limit, so that a runaway script is answered as timed out.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:02")]
    public TimeSpan KillGrace { get; set; } = TimeSpan.FromMilliseconds(500);
}
