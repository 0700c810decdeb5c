namespace Tower.Gateway.Configuration;

/// <summary>
/// Holds the configuration in force; readers never lock, a reload swaps it whole. Until the
/// gateway's first attempt to load one has ended (from Admin, or else from its saved snapshot),
/// calls wait for it rather than meet an empty configuration.
/// </summary>
public sealed class ConfigHolder
{
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile GatewayConfig _current = GatewayConfig.Empty;
    private volatile bool _loaded;

    public GatewayConfig Current => _current;

    /// <summary>Whether any configuration is in force (false only before the first successful load).</summary>
    public bool Loaded => _loaded;

    /// <summary>Completes when the first attempt to load a configuration has ended, whether or not it found one.</summary>
    public Task FirstAttempt => _firstAttempt.Task;

    public void Replace(GatewayConfig config)
    {
        _current = config;
        _loaded = true;
    }

    public void EndFirstAttempt() => _firstAttempt.TrySetResult();
}
