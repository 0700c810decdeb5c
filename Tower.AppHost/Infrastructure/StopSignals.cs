using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tower.AppHost.Infrastructure;

/// <summary>
/// Sends a process marked with <see cref="StopSignalAnnotation"/> its signal as soon as a stop
/// command puts it in the Stopping state, so that it ends cleanly before the launcher's kill.
/// </summary>
internal sealed partial class StopSignals(
    ResourceNotificationService notifications,
    DistributedApplicationModel model,
    ILogger<StopSignals> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var signals = model.Resources
            .SelectMany(resource => resource.Annotations.OfType<StopSignalAnnotation>().Select(annotation => (resource, annotation.Signal)))
            .ToDictionary(pair => pair.resource, pair => pair.Signal);
        var states = new Dictionary<string, string?>();
        await foreach (var change in notifications.WatchAsync(stoppingToken))
        {
            if (!signals.TryGetValue(change.Resource, out var signal))
            {
                continue;
            }

            var state = change.Snapshot.State?.Text;
            var previous = states.GetValueOrDefault(change.ResourceId);
            states[change.ResourceId] = state;
            if (state != KnownResourceStates.Stopping || previous == KnownResourceStates.Stopping
                || change.Snapshot.Properties.SingleOrDefault(property => property.Name == "executable.pid")?.Value is not { } value
                || !int.TryParse(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), out var pid))
            {
                continue;
            }

            if (Kill(pid, signal) == 0)
            {
                LogSignalled(logger, change.Resource.Name, signal, pid);
            }
            else
            {
                LogSignalFailed(logger, change.Resource.Name, signal, pid, Marshal.GetLastPInvokeError());
            }
        }
    }

    // DllImport rather than LibraryImport: LibraryImport's generated code would need unsafe code
    // enabled for the whole launcher, for one call with two integers.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Resource} is being stopped: sent it signal {Signal} (process {Pid}) for a prompt clean stop")]
    private static partial void LogSignalled(ILogger logger, string resource, int signal, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} is being stopped: could not send it signal {Signal} (process {Pid}, errno {Errno})")]
    private static partial void LogSignalFailed(ILogger logger, string resource, int signal, int pid, int errno);
}
