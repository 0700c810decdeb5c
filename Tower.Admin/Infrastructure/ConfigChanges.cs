using MassTransit;
using Tower.Contracts.Configuration;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// Tells every gateway replica that the configuration changed. Publishing is bounded: if the
/// broker is unreachable, the change is committed anyway and the gateways' periodic
/// resynchronisation picks it up.
/// </summary>
public sealed class ConfigChanges(IPublishEndpoint publisher, ILogger<ConfigChanges> logger)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);

    public async Task PublishAsync(string kind, string reference)
    {
        using var timeout = new CancellationTokenSource(PublishTimeout);
        try
        {
            await publisher.Publish(new WebhookConfigChanged { Kind = kind, Reference = reference, ChangedAt = DateTimeOffset.UtcNow }, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Log.PublishTimedOut(logger, kind, reference);
        }
    }
}

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish the change of {Kind} '{Reference}' in time; gateways will pick it up when they resynchronise")]
    public static partial void PublishTimedOut(ILogger logger, string kind, string reference);
}
