using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Tower.Contracts;
using Tower.Contracts.Configuration;
using Tower.Gateway.Infrastructure;

namespace Tower.Gateway.Configuration;

/// <summary>
/// Puts the configuration in force: from Admin at start-up, again whenever a change event
/// arrives or the change subscription becomes ready (several requests close together share one
/// reload), and periodically as a backstop. Each snapshot loaded is saved (<see cref="SavedSnapshot"/>);
/// when Admin does not answer the first attempt within <see cref="GatewayOptions.StartupLoadTimeout"/>,
/// the saved one is served until Admin answers. No failure of Admin or of the saved file stops
/// the gateway: it keeps what it has and tries again.
/// </summary>
public sealed partial class SnapshotLoader(
    IServiceProvider services, ConfigHolder holder, SavedSnapshot saved, IOptions<GatewayOptions> options, ILogger<SnapshotLoader> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for a reload soon; called for every change event and every (re)subscription.</summary>
    public void RequestReload() => _signals.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        bool loaded;
        try
        {
            loaded = await TryLoadAsync(options.Value.StartupLoadTimeout, stoppingToken);
            if (!loaded)
            {
                LoadSaved();
            }
        }
        finally
        {
            holder.EndFirstAttempt();
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(loaded ? options.Value.ResyncInterval : RetryInterval);
            try
            {
                await _signals.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Time for the periodic resynchronisation, or to try again after a failure.
            }

            loaded = await TryLoadAsync(Timeout.InfiniteTimeSpan, stoppingToken);
        }
    }

    private async Task<bool> TryLoadAsync(TimeSpan limit, CancellationToken stoppingToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(limit);
            using var scope = services.CreateScope();
            var json = await scope.ServiceProvider.GetRequiredService<AdminClient>().SnapshotAsync(timeout.Token);
            var config = Parse(json);
            holder.Replace(config);
            LogLoaded(logger, config.Count, config.TakenAt);
            Save(json);
            return true;
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            // Whatever Admin did (refused, hung, sent nonsense), the gateway keeps serving.
            if (holder.Loaded)
            {
                LogLoadFailedServingLast(logger, holder.Current.TakenAt, exception.Message);
            }
            else
            {
                LogLoadFailedNothingLoaded(logger, exception.Message);
            }

            return false;
        }
    }

    private void LoadSaved()
    {
        if (!saved.Enabled)
        {
            return;
        }

        try
        {
            if (saved.Read() is { } json)
            {
                var config = Parse(json);
                holder.Replace(config);
                LogServingSaved(logger, config.Count, config.TakenAt);
            }
        }
        catch (Exception exception)
        {
            // A saved snapshot that cannot be read (another key, damaged) is as good as none.
            LogSavedUnreadable(logger, exception.Message);
        }
    }

    private void Save(byte[] json)
    {
        try
        {
            saved.Save(json);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogSaveFailed(logger, exception.Message);
        }
    }

    private static GatewayConfig Parse(byte[] json) =>
        GatewayConfig.From(JsonSerializer.Deserialize<ConfigSnapshot>(json, TowerJson.Options)
            ?? throw new JsonException("The snapshot is empty."));

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration loaded: {Count} enabled webhooks (snapshot of {TakenAt:O})")]
    private static partial void LogLoaded(ILogger logger, int count, DateTimeOffset takenAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load the configuration from Admin; serving the one of {TakenAt:O}: {Reason}")]
    private static partial void LogLoadFailedServingLast(ILogger logger, DateTimeOffset takenAt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load the configuration from Admin, and none is loaded yet: calls are answered 503 until one is: {Reason}")]
    private static partial void LogLoadFailedNothingLoaded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin did not answer at start-up: serving the saved configuration ({Count} enabled webhooks, snapshot of {TakenAt:O}) until it does")]
    private static partial void LogServingSaved(ILogger logger, int count, DateTimeOffset takenAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "The saved configuration cannot be read, so it is not served: {Reason}")]
    private static partial void LogSavedUnreadable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The configuration could not be saved; a restart while Admin is unreachable would not find it: {Reason}")]
    private static partial void LogSaveFailed(ILogger logger, string reason);
}
