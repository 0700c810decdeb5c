using System.Threading.Channels;
using MassTransit;
using Tower.Contracts.Calls;

namespace Tower.Gateway.Calls;

/// <summary>
/// Makes call records durable before their calls are answered. Records queue up while a batch
/// is being published; the next batch takes all of them (group commit), so many calls share one
/// bus message and one broker confirmation.
/// </summary>
public sealed partial class CallRecorder(IServiceProvider services, ILogger<CallRecorder> logger) : BackgroundService
{
    public const int MaxBatch = 500;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Completes once the record is confirmed by the broker.</summary>
    public Task RecordAsync(WebhookCallRecord record)
    {
        var pending = new Pending(record, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The gateway is shutting down.");
        }

        return pending.Confirmed.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        var reader = _queue.Reader;
        // Keeps draining after a stop is requested, so that every accepted record is published.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            await PublishAsync(batch);
            batch.Clear();
            if (stoppingToken.IsCancellationRequested && !reader.TryPeek(out _))
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task PublishAsync(List<Pending> batch)
    {
        var message = WebhookCallsRecorded.Of(batch.Select(pending => pending.Record).ToList());
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await services.GetRequiredService<IBus>().Publish(message, timeout.Token);
                foreach (var pending in batch)
                {
                    pending.Confirmed.TrySetResult();
                }

                return;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogPublishFailed(logger, batch.Count, attempt, exception.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 * attempt)));
            }
        }
    }

    private sealed record Pending(WebhookCallRecord Record, TaskCompletionSource Confirmed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Count} call records failed (attempt {Attempt}); retrying: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, int count, int attempt, string reason);
}
