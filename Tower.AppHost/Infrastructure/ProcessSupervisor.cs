using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tower.AppHost.Infrastructure;

/// <summary>
/// Restarts a supervised process (<see cref="SupervisedAnnotation"/>) that exits or fails to
/// start without having been stopped on purpose (the dashboard's or a test's stop command, or
/// the launcher's own shutdown): after 1 s, then twice as long after each further exit, up to
/// 30 s; a process that ran a minute starts over at 1 s. Each exit and restart is written to the
/// launcher's log and to the process's own console log in the dashboard.
/// </summary>
internal sealed partial class ProcessSupervisor(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService resourceLogs,
    DistributedApplicationModel model,
    IHostApplicationLifetime lifetime,
    ILogger<ProcessSupervisor> logger) : BackgroundService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StableRun = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Watch> _watches = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var supervised = model.Resources.Where(resource => resource.Annotations.OfType<SupervisedAnnotation>().Any()).ToHashSet();
        await foreach (var change in notifications.WatchAsync(stoppingToken))
        {
            // Between Starting and Running a process passes through a state without a name: no news.
            if (!supervised.Contains(change.Resource) || change.Snapshot.State?.Text is not { Length: > 0 } state)
            {
                continue;
            }

            var watch = _watches.GetOrAdd(change.ResourceId, _ => new Watch());
            var previous = watch.State;
            watch.State = state;
            if (state == previous)
            {
                continue;
            }

            // A stop command passes through Stopping (and ends with exit code 0); a process that
            // dies or exits by itself goes straight from Running to Finished or Exited.
            if (state == KnownResourceStates.Stopping)
            {
                watch.StoppedOnPurpose = true;
            }
            else if (state == KnownResourceStates.Starting || state == KnownResourceStates.Running)
            {
                watch.StoppedOnPurpose = false;
                watch.RunningSince = state == KnownResourceStates.Running ? DateTime.UtcNow : null;
            }
            else if (IsEnded(state) && !watch.StoppedOnPurpose && previous is not null && !IsEnded(previous)
                     && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                var ran = watch.RunningSince is { } since ? DateTime.UtcNow - since : TimeSpan.Zero;
                watch.Failures = ran >= StableRun ? 1 : watch.Failures + 1;
                watch.RunningSince = null;
                var delay = TimeSpan.FromTicks(Math.Min(LongestDelay.Ticks, FirstDelay.Ticks << Math.Min(watch.Failures - 1, 10)));
                var name = change.Resource.Name;
                var exitCode = change.Snapshot.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown";
                LogExited(logger, name, state, exitCode, ran.TotalSeconds, delay.TotalSeconds);
                LogExited(resourceLogs.GetLogger(change.Resource), name, state, exitCode, ran.TotalSeconds, delay.TotalSeconds);
                _ = RestartAsync(change.Resource, change.ResourceId, watch, delay, stoppingToken);
            }
        }
    }

    private async Task RestartAsync(IResource resource, string resourceId, Watch watch, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
            // Someone may have started it meanwhile, or stopped it on purpose.
            if (watch.StoppedOnPurpose || watch.State is not { } state || !IsEnded(state))
            {
                return;
            }

            var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, stoppingToken);
            if (result.Success)
            {
                LogRestarted(logger, resource.Name);
                LogRestarted(resourceLogs.GetLogger(resource), resource.Name);
            }
            else
            {
                LogRestartFailed(logger, resource.Name, result.Message ?? "no reason given");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The launcher is stopping: nothing is restarted any more.
        }
        catch (Exception exception)
        {
            LogRestartFailed(logger, resource.Name, exception.Message);
        }
    }

    private static bool IsEnded(string state) =>
        state == KnownResourceStates.Exited || state == KnownResourceStates.Finished || state == KnownResourceStates.FailedToStart;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} ended ({State}, exit code {ExitCode}) after running {Seconds:0.#} s without being asked to stop; restarting it in {Delay:0.#} s")]
    private static partial void LogExited(ILogger logger, string resource, string state, string exitCode, double seconds, double delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} restarted by the launcher")]
    private static partial void LogRestarted(ILogger logger, string resource);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} could not be restarted: {Reason}")]
    private static partial void LogRestartFailed(ILogger logger, string resource, string reason);

    /// <summary>What the supervisor knows of one process.</summary>
    private sealed class Watch
    {
        public string? State { get; set; }
        public bool StoppedOnPurpose { get; set; }
        public DateTime? RunningSince { get; set; }
        public int Failures { get; set; }
    }
}
