using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Tower.Contracts;
using Tower.Contracts.Configuration;
using Tower.Gateway.Infrastructure;

namespace Tower.Gateway.Configuration;

public sealed class AdminClient(HttpClient http)
{
    public async Task<ConfigSnapshot> SnapshotAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<ConfigSnapshot>("/internal/snapshot", TowerJson.Options, cancellationToken)
        ?? throw new InvalidOperationException("The Admin service sent an empty snapshot.");
}

/// <summary>
/// Loads the full configuration at start-up, again whenever a change event arrives (several
/// events close together share one reload), and periodically as a backstop. While Admin is
/// unreachable, the gateway keeps serving from the last snapshot.
/// </summary>
public sealed partial class SnapshotLoader(
    IServiceProvider services, ConfigHolder holder, IOptions<GatewayOptions> options, ILogger<SnapshotLoader> logger) : BackgroundService
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for a reload soon; called for every change event.</summary>
    public void RequestReload() => _signals.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var loaded = await TryLoadAsync(stoppingToken);
            var wait = loaded ? options.Value.ResyncInterval : TimeSpan.FromSeconds(1);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(wait);
            try
            {
                await _signals.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Time for the periodic resynchronisation.
            }
        }
    }

    private async Task<bool> TryLoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var scope = services.CreateScope();
            var snapshot = await scope.ServiceProvider.GetRequiredService<AdminClient>().SnapshotAsync(cancellationToken);
            var config = GatewayConfig.From(snapshot);
            holder.Replace(config);
            LogLoaded(logger, config.Count);
            return true;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                LogLoadFailed(logger, exception.Message);
            }

            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration loaded: {Count} enabled webhooks")]
    private static partial void LogLoaded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load the configuration from Admin; serving the last one: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string reason);
}

/// <summary>Every gateway replica receives every change event on its own temporary queue.</summary>
public sealed class ConfigChangedConsumer(SnapshotLoader loader) : MassTransit.IConsumer<WebhookConfigChanged>
{
    public Task Consume(MassTransit.ConsumeContext<WebhookConfigChanged> context)
    {
        loader.RequestReload();
        return Task.CompletedTask;
    }
}
