using System.Threading.Channels;
using MassTransit;
using Tower.Contracts.Configuration;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// Tells every gateway replica that the configuration changed. The change is committed whether
/// or not the broker takes the event: one that cannot be published within
/// <see cref="PublishTimeout"/> (the broker down, or Admin still reconnecting to it) is published
/// again every second in the background until it is, so that gateways learn of it as soon as the
/// broker is back, not at their next periodic resynchronisation. Events waiting together are
/// sent as one: a gateway reloads its whole configuration for any of them.
/// </summary>
public sealed partial class ConfigChanges(IBus bus, ILogger<ConfigChanges> logger) : BackgroundService
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<WebhookConfigChanged> _unsent =
        Channel.CreateBounded<WebhookConfigChanged>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public async Task PublishAsync(string kind, string reference)
    {
        var change = new WebhookConfigChanged { Kind = kind, Reference = reference, ChangedAt = DateTimeOffset.UtcNow };
        if (!await TryPublishAsync(change, CancellationToken.None))
        {
            LogPublishDeferred(logger, kind, reference);
            _unsent.Writer.TryWrite(change);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var change in _unsent.Reader.ReadAllAsync(stoppingToken))
        {
            while (!await TryPublishAsync(change with { ChangedAt = DateTimeOffset.UtcNow }, stoppingToken))
            {
                await Task.Delay(RetryInterval, stoppingToken);
            }

            LogPublishedLate(logger, change.Kind, change.Reference);
        }
    }

    private async Task<bool> TryPublishAsync(WebhookConfigChanged change, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(PublishTimeout);
        try
        {
            await bus.Publish(change, timeout.Token);
            return true;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException && !stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish the change of {Kind} '{Reference}' in time; it is published again every second until the broker takes it")]
    private static partial void LogPublishDeferred(ILogger logger, string kind, string reference);

    [LoggerMessage(Level = LogLevel.Information, Message = "The change of {Kind} '{Reference}' reached the broker late; gateways reload now")]
    private static partial void LogPublishedLate(ILogger logger, string kind, string reference);
}
