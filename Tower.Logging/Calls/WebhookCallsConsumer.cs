using System.Net.Sockets;
using MassTransit;
using Npgsql;
using Tower.Contracts.Calls;
using Tower.Logging.GeoIp;

namespace Tower.Logging.Calls;

/// <summary>
/// Stores each batch of call records; the message is acknowledged only after the commit. While
/// PostgreSQL is unreachable the batch is retried (the message stays unacknowledged, later ones
/// stay queued); a batch the database refuses is stored record by record, a refused record is
/// simplified, and one that still cannot be stored goes to the error queue with a metric.
/// A redelivered batch stores nothing twice.
/// </summary>
public sealed partial class WebhookCallsConsumer(CallStore store, CountryLookup countries, ILogger<WebhookCallsConsumer> logger)
    : IConsumer<WebhookCallsRecorded>
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    public async Task Consume(ConsumeContext<WebhookCallsRecorded> context)
    {
        var calls = context.Message.Unpack()
            .Select(record => new StoredCall(RecordCleaner.Clean(record), countries.Find(record.IpAddress)))
            .ToList();
        try
        {
            await StoreWhenReachableAsync(calls, context.CancellationToken);
        }
        catch (PostgresException exception) when (!IsTransient(exception))
        {
            LogBatchRefused(logger, calls.Count, exception.Message);
            foreach (var call in calls)
            {
                await StoreAloneAsync(call, context);
            }
        }
    }

    private async Task StoreAloneAsync(StoredCall call, ConsumeContext context)
    {
        try
        {
            await StoreWhenReachableAsync([call], context.CancellationToken);
            return;
        }
        catch (PostgresException exception) when (!IsTransient(exception))
        {
            LogRecordSimplified(logger, call.Record.Id, exception.Message);
        }

        try
        {
            await StoreWhenReachableAsync([call with { Record = RecordCleaner.Simplify(call.Record) }], context.CancellationToken);
        }
        catch (PostgresException exception) when (!IsTransient(exception))
        {
            LogRecordRejected(logger, call.Record.Id, exception.Message);
            LoggingTelemetry.RecordsRejected.Add(1);
            var errorQueue = await context.GetSendEndpoint(new Uri($"queue:{WebhookCallRecordRejected.QueueName}"));
            await errorQueue.Send(new WebhookCallRecordRejected { Record = call.Record, Reason = exception.Message }, context.CancellationToken);
        }
    }

    private async Task StoreWhenReachableAsync(IReadOnlyList<StoredCall> calls, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var inserted = await store.StoreAsync(calls, cancellationToken);
                LoggingTelemetry.RecordsStored.Add(inserted);
                LoggingTelemetry.RecordsDuplicate.Add(calls.Count - inserted);
                return;
            }
            catch (Exception exception) when (IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                LogDatabaseUnreachable(logger, calls.Count, exception.Message);
                await Task.Delay(backoff, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    private static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.CrashShutdown,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        SocketException or TimeoutException => true,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is unreachable; {Count} call records wait and are retried: {Reason}")]
    private static partial void LogDatabaseUnreachable(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} call records was refused ({Reason}); storing them one by one")]
    private static partial void LogBatchRefused(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call record {CallId} was refused ({Reason}); storing it simplified")]
    private static partial void LogRecordSimplified(ILogger logger, Guid callId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call record {CallId} could not be stored ({Reason}); sent to the error queue")]
    private static partial void LogRecordRejected(ILogger logger, Guid callId, string reason);
}

/// <summary>A record ready to store, with the country of its client address.</summary>
public sealed record StoredCall(WebhookCallRecord Record, string Country);

/// <summary>
/// How many batches are stored at once. Each one is a COPY and a commit on its own connection;
/// on a small machine a few in parallel keep PostgreSQL busy, while many only add contention.
/// </summary>
public sealed class WebhookCallsConsumerDefinition : ConsumerDefinition<WebhookCallsConsumer>
{
    public const int ConcurrentBatches = 4;

    public WebhookCallsConsumerDefinition() => ConcurrentMessageLimit = ConcurrentBatches;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<WebhookCallsConsumer> consumerConfigurator, IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = ConcurrentBatches * 2;
        }
    }
}
