using Npgsql;

namespace Tower.Logging.Retention;

/// <summary>
/// Runs the maintenance at start-up, every hour, and whenever the retention setting changes; and
/// sweeps the dedup keys whose claim or window ended, and the dead async calls whose record is gone.
/// </summary>
public sealed partial class RetentionService(PartitionMaintenance maintenance, Dedup.DedupStore dedup, Async.AsyncJobStore jobs,
    ILogger<RetentionService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private readonly SemaphoreSlim _wake = new(0);

    public void RequestRun() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await maintenance.RunAsync(stoppingToken);
                await dedup.SweepAsync(stoppingToken);
                await jobs.SweepAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                LogFailed(logger, exception.Message);
            }

            try
            {
                await _wake.WaitAsync(Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call log maintenance failed; it runs again within the hour: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
