using System.Net.Sockets;
using MassTransit;
using Npgsql;
using Tower.Contracts.Calls;
using Tower.Logging.GeoIp;

namespace Tower.Logging.Calls;

/// <summary>
/// Stores the call records of many gateway batches at once: MassTransit hands over up to
/// <see cref="WebhookCallsConsumerDefinition.MessagesPerBatch"/> messages (or what arrived
/// within <see cref="WebhookCallsConsumerDefinition.BatchWindow"/>), their records go to
/// PostgreSQL in one COPY and one commit, and the messages are acknowledged only after it. While
/// PostgreSQL is unreachable the records are retried (the messages stay unacknowledged, later
/// ones stay queued); records the database refuses together are stored one by one, a refused
/// record is simplified, and one that still cannot be stored goes to the error queue with a
/// metric. A message that is no batch of records is set aside whole on the endpoint's error
/// queue; the others are stored. A redelivered batch stores nothing twice.
/// </summary>
public sealed partial class WebhookCallsConsumer(CallStore store, CountryLookup countries, ILogger<WebhookCallsConsumer> logger)
    : IConsumer<Batch<WebhookCallsRecorded>>
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    public async Task Consume(ConsumeContext<Batch<WebhookCallsRecorded>> context)
    {
        var calls = new List<StoredCall>();
        foreach (var message in context.Message)
        {
            IReadOnlyList<WebhookCallRecord> records;
            try
            {
                records = message.Message.Unpack();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Whatever makes one message unreadable (damage, a format this version does not
                // know) sets that message aside alone; the others of the batch are stored.
                LogUnreadable(logger, message.MessageId, exception.Message);
                LoggingTelemetry.MessagesSetAside.Add(1);
                var errorQueue = await context.GetSendEndpoint(new Uri(context.ReceiveContext.InputAddress + "_error"));
                await errorQueue.Send(message.Message, context.CancellationToken);
                continue;
            }

            calls.AddRange(records.Select(record => new StoredCall(RecordCleaner.Clean(record), countries.Find(record.IpAddress))));
        }

        if (calls.Count == 0)
        {
            return;
        }

        try
        {
            await StoreWhenReachableAsync(calls, context.CancellationToken);
        }
        catch (PostgresException exception) when (IsRecordError(exception))
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
        catch (PostgresException exception) when (IsRecordError(exception))
        {
            LogRecordSimplified(logger, call.Record.Id, exception.Message);
        }

        try
        {
            await StoreWhenReachableAsync([call with { Record = RecordCleaner.Simplify(call.Record) }], context.CancellationToken);
        }
        catch (PostgresException exception) when (IsRecordError(exception))
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
            catch (Exception exception) when (MustWait(exception) && !cancellationToken.IsCancellationRequested)
            {
                if (exception is PostgresException refusal && !IsTransient(refusal))
                {
                    // The database refuses every write (read-only, permissions, disk full...): no
                    // record is at fault, so none is set aside; they wait until it takes them again.
                    LoggingTelemetry.StoreRefusals.Add(1);
                    LogDatabaseRefuses(logger, calls.Count, refusal.SqlState, refusal.MessageText);
                }
                else
                {
                    LogDatabaseUnreachable(logger, calls.Count, exception.Message);
                }

                await Task.Delay(backoff, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    /// <summary>Whether storing failed for a reason of the database's, not of the records': unreachable, or refusing every write.</summary>
    private static bool MustWait(Exception exception) =>
        IsTransient(exception) || exception is PostgresException postgres && !IsRecordError(postgres);

    /// <summary>
    /// Whether PostgreSQL refused the data of the records themselves (data exceptions, constraint
    /// violations, limits such as a row too large: SQLSTATE classes 22, 23 and 54), so that storing
    /// them alone, or simplified, can help. Any other refusal is the database's state, not the records'.
    /// </summary>
    internal static bool IsRecordError(PostgresException exception) =>
        !IsTransient(exception) && exception.SqlState.Length == 5 && exception.SqlState[..2] is "22" or "23" or "54";

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

    [LoggerMessage(Level = LogLevel.Error, Message = "PostgreSQL refuses to store call records ({SqlState}: {Reason}); {Count} records wait and are retried")]
    private static partial void LogDatabaseRefuses(ILogger logger, int count, string sqlState, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} is not a batch of call records ({Reason}); set aside on the error queue")]
    private static partial void LogUnreadable(ILogger logger, Guid? messageId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} call records was refused ({Reason}); storing them one by one")]
    private static partial void LogBatchRefused(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call record {CallId} was refused ({Reason}); storing it simplified")]
    private static partial void LogRecordSimplified(ILogger logger, Guid callId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call record {CallId} could not be stored ({Reason}); sent to the error queue")]
    private static partial void LogRecordRejected(ILogger logger, Guid callId, string reason);
}
