using System.Diagnostics;
using System.Threading.Channels;
using MassTransit;
using Microsoft.Extensions.Options;
using Tower.Contracts.Calls;
using Tower.Gateway.Infrastructure;

namespace Tower.Gateway.Calls;

/// <summary>
/// Makes call records durable before their calls are answered. Records queue up while batches
/// are being published; the next batch takes all of them (group commit), so many calls share one
/// bus message and one broker confirmation. When the broker does not confirm a batch in time,
/// the batch and every later one go to the local spill (<see cref="SpillStore"/>), flushed to
/// disk before the calls are answered; a second loop sends the spill when the broker is back and
/// deletes it only after confirmation, then batches go to the broker again. Spill left by an
/// earlier run is sent the same way. A record sent twice is stored once (its id is its key).
/// </summary>
public sealed partial class CallRecorder : BackgroundService
{
    /// <summary>
    /// Batches awaiting the broker's confirmation at once. With one, a record waited for the batch
    /// under way and then its own (1.5 confirmations, ~6 of the standard call's 11 ms at
    /// saturation); with two, batches are smaller (7 records instead of 11) and cost RabbitMQ more
    /// per call, but calls are answered sooner: 2.5k → 3.2k calls/s on 32 connections. With four
    /// (an earlier design, with dearer messages) batches stayed so small that the CPU per call doubled.
    /// </summary>
    public const int MaxBatchesInFlight = 2;

    /// <summary>
    /// Records kept in memory at most while they can be made durable nowhere (the broker
    /// unreachable and the spill failing); records beyond are lost, counted and logged (spec §6).
    /// </summary>
    public const int MaxKeptInMemory = 20_000;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IServiceProvider _services;
    private readonly ILogger<CallRecorder> _logger;
    private readonly TimeSpan _publishTimeout;
    private readonly SpillStore _spill;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _inFlight = new(MaxBatchesInFlight);
    private bool _spilling;
    private volatile bool _unavailable;
    private long _waiting;

    public CallRecorder(IServiceProvider services, IOptions<GatewayOptions> options, ILogger<CallRecorder> logger)
    {
        _services = services;
        _logger = logger;
        _publishTimeout = options.Value.PublishTimeout;
        _spill = new SpillStore(options.Value.SpillDirectory);
        GatewayTelemetry.Meter.CreateObservableGauge("tower.gateway.records.waiting", () => Interlocked.Read(ref _waiting),
            unit: "{record}", description: "Call records waiting to be made durable.");
        GatewayTelemetry.Meter.CreateObservableGauge("tower.gateway.records.spilling", () => _spilling ? 1 : 0,
            description: "1 while call records go to the local spill because the broker does not confirm them.");
        GatewayTelemetry.Meter.CreateObservableGauge("tower.gateway.records.unavailable", () => _unavailable ? 1 : 0,
            description: "1 while call records can be made durable nowhere (broker and spill both failing): new calls are refused with 503.");
    }

    /// <summary>
    /// Whether the last batch could be made durable nowhere, neither confirmed by the broker nor
    /// written to the spill: new calls are then refused (503 Call log unavailable) before any code runs.
    /// </summary>
    public bool Unavailable => _unavailable;

    /// <summary>
    /// Keeps the record of a call refused because records can be made durable nowhere: it waits
    /// in memory and is stored when the broker or the spill takes records again, unless
    /// <see cref="MaxKeptInMemory"/> records wait already; then it is lost (counted and logged).
    /// </summary>
    public void Keep(WebhookCallRecord record)
    {
        if (Interlocked.Read(ref _waiting) >= MaxKeptInMemory)
        {
            GatewayTelemetry.RecordsLost.Add(1);
            LogRecordLost(_logger, record.Id, MaxKeptInMemory);
            return;
        }

        // Nobody waits for it; a failure is logged where it happens.
        _ = RecordAsync(record).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>Completes once the record is confirmed by the broker or flushed to the spill.</summary>
    public Task RecordAsync(WebhookCallRecord record)
    {
        var pending = new Pending(record, Activity.Current?.Context ?? default, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        Interlocked.Increment(ref _waiting);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _waiting);
            throw new InvalidOperationException("The gateway is shutting down.");
        }

        return pending.Durable.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sending = SendSpillAsync(stoppingToken);
        var reader = _queue.Reader;
        // Keeps draining after a stop is requested, so that every accepted record is made durable.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            // As in a database's group commit, the calls that arrive while the batches under way
            // await their confirmations form the next batch, so batches grow with the load.
            await _inFlight.WaitAsync(CancellationToken.None);
            var batch = RecordBatches.Take(reader, pending => pending.Record, (int)Math.Min(Interlocked.Read(ref _waiting), int.MaxValue));

            Interlocked.Add(ref _waiting, -batch.Count);
            _ = PublishAsync(batch);
            if (stoppingToken.IsCancellationRequested && !reader.TryPeek(out _))
            {
                break;
            }
        }

        // Every batch under way is made durable before the recorder ends.
        for (var slot = 0; slot < MaxBatchesInFlight; slot++)
        {
            await _inFlight.WaitAsync(CancellationToken.None);
        }

        await sending;
    }

    private async Task PublishAsync(List<Pending> batch)
    {
        try
        {
            await MakeDurableAsync(batch);
        }
        catch (Exception exception)
        {
            // Whatever went wrong, no caller waits for ever: their calls fail (and are answered) instead.
            LogBatchFailed(_logger, batch.Count, exception);
            foreach (var pending in batch)
            {
                pending.Durable.TrySetException(exception);
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _spill.Dispose();
        _inFlight.Dispose();
        base.Dispose();
    }

    private async Task MakeDurableAsync(List<Pending> batch)
    {
        // One publish serves many calls: its trace links to each of them, and Logging's storing of
        // the batch continues it, so a call's trace leads on to where its record was stored.
        using var activity = GatewayTelemetry.Source.HasListeners()
            ? GatewayTelemetry.Source.StartActivity("record calls", ActivityKind.Producer, parentContext: default,
                links: batch.Where(pending => pending.Call != default).Select(pending => new ActivityLink(pending.Call)))
            : null;
        activity?.SetTag("tower.records", batch.Count);
        var message = Pack(ref batch);
        if (message is null)
        {
            return;
        }

        bool spilling;
        lock (_gate)
        {
            spilling = _spilling;
        }

        for (var attempt = 1; ; attempt++)
        {
            if (!spilling && await TryPublishAsync(message))
            {
                break;
            }

            if (TrySpill(message, batch.Count))
            {
                break;
            }

            // Neither the broker nor the disk took the batch: new calls are refused meanwhile; try
            // both again (the calls wait, up to their own limit: see WebhookEndpoint).
            if (!_unavailable)
            {
                _unavailable = true;
                LogUnavailable(_logger);
            }

            spilling = false;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 * attempt)));
        }

        if (_unavailable)
        {
            _unavailable = false;
            LogAvailable(_logger);
        }

        foreach (var pending in batch)
        {
            pending.Durable.TrySetResult();
        }
    }

    /// <summary>
    /// The batch packed into one message. Should a record defeat the codec, the others are packed
    /// without it and only its own call fails; null when none is left.
    /// </summary>
    private WebhookCallsRecorded? Pack(ref List<Pending> batch)
    {
        try
        {
            return WebhookCallsRecorded.Of(batch.Select(pending => pending.Record).ToList());
        }
        catch (Exception exception) when (batch.Count > 1)
        {
            LogPackFailed(_logger, batch.Count, exception.Message);
        }

        var packable = new List<Pending>(batch.Count);
        foreach (var pending in batch)
        {
            try
            {
                _ = WebhookCallsRecorded.Of([pending.Record]);
                packable.Add(pending);
            }
            catch (Exception exception)
            {
                LogBatchFailed(_logger, 1, exception);
                pending.Durable.TrySetException(exception);
            }
        }

        batch = packable;
        return packable.Count == 0 ? null : WebhookCallsRecorded.Of(packable.Select(pending => pending.Record).ToList());
    }

    private bool TrySpill(WebhookCallsRecorded message, int count)
    {
        try
        {
            lock (_gate)
            {
                if (!_spilling)
                {
                    LogSpilling(_logger, _spill.Directory);
                }

                _spilling = true;
                _spill.Append(message.Records);
            }

            GatewayTelemetry.RecordsSpilled.Add(count);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogSpillFailed(_logger, count, exception.Message);
            return false;
        }
    }

    /// <summary>Sends spilled batches, oldest first, whenever there are any; ends at shutdown.</summary>
    private async Task SendSpillAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<string> segments;
            try
            {
                lock (_gate)
                {
                    segments = _spill.Seal();
                    if (segments.Count == 0)
                    {
                        _spilling = false;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                LogSpillUnreadable(_logger, _spill.Directory, exception.Message);
                segments = [];
            }

            if (segments.Count == 0 || !await SendSegmentsAsync(segments, stoppingToken))
            {
                await Task.Delay(RetryDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }

            lock (_gate)
            {
                if (!_spill.HasOpenSegment)
                {
                    _spilling = false;
                    LogSpillSent(_logger);
                }
            }
        }
    }

    private async Task<bool> SendSegmentsAsync(IReadOnlyList<string> segments, CancellationToken stoppingToken)
    {
        foreach (var segment in segments)
        {
            try
            {
                foreach (var packed in SpillStore.ReadBatches(segment))
                {
                    if (stoppingToken.IsCancellationRequested || !await TryPublishAsync(new WebhookCallsRecorded { Records = packed }))
                    {
                        return false;
                    }
                }

                File.Delete(segment);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                LogSpillUnreadable(_logger, segment, exception.Message);
                return false;
            }
        }

        return true;
    }

    private async Task<bool> TryPublishAsync(WebhookCallsRecorded message)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_publishTimeout);
            await _services.GetRequiredService<IBus>().Publish(message, Mandatory, timeout.Token);
            return true;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            GatewayTelemetry.PublishFailures.Add(1);
            LogPublishFailed(_logger, exception.Message);
            return false;
        }
    }

    /// <summary>
    /// Without the mandatory flag the broker confirms a message that no queue takes (Logging's queue
    /// not declared yet on a new system, or deleted) and drops it; with it, the broker returns the
    /// message, the publish fails and the batch goes to the spill until a queue takes it.
    /// </summary>
    private static void Mandatory(PublishContext<WebhookCallsRecorded> context)
    {
        if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
        {
            rabbit.Mandatory = true;
        }
    }

    private sealed record Pending(WebhookCallRecord Record, ActivityContext Call, TaskCompletionSource Durable);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Call records can be made durable nowhere (the broker does not confirm them and the spill cannot be written): new calls are answered 503 until one of them takes records again")]
    private static partial void LogUnavailable(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call records are made durable again; calls are served")]
    private static partial void LogAvailable(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "The record of call {CallId} is lost: {Limit} records wait in memory already while none can be made durable")]
    private static partial void LogRecordLost(ILogger logger, Guid callId, int limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} call records could not be made durable; their calls fail")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} call records could not be packed; packing them one by one: {Reason}")]
    private static partial void LogPackFailed(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing call records failed: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker does not confirm call records; they go to the spill in {Directory} until it does")]
    private static partial void LogSpilling(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Every spilled call record was confirmed by the broker; records go to the broker again")]
    private static partial void LogSpillSent(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the spill at {Segment} failed; it is kept and tried again: {Reason}")]
    private static partial void LogSpillUnreadable(ILogger logger, string segment, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Count} call records to the spill failed; their calls wait: {Reason}")]
    private static partial void LogSpillFailed(ILogger logger, int count, string reason);
}
