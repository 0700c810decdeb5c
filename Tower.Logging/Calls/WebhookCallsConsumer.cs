using MassTransit;
using Tower.Contracts.Calls;

namespace Tower.Logging.Calls;

/// <summary>
/// Stores each batch of call records; the message is acknowledged only after the commit, so a
/// failure leaves it queued for redelivery, and a redelivery stores nothing twice.
/// </summary>
public sealed class WebhookCallsConsumer(CallStore store, ILogger<WebhookCallsConsumer> logger) : IConsumer<WebhookCallsRecorded>
{
    public async Task Consume(ConsumeContext<WebhookCallsRecorded> context)
    {
        var inserted = await store.StoreAsync(context.Message.Records, country: "", context.CancellationToken);
        LoggingTelemetry.RecordsStored.Add(inserted);
        Log.Stored(logger, context.Message.Records.Count, inserted);
    }
}

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored a batch of {Count} call records ({Inserted} new)")]
    public static partial void Stored(ILogger logger, int count, int inserted);
}
