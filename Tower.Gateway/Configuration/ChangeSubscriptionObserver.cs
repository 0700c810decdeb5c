using MassTransit;

namespace Tower.Gateway.Configuration;

/// <summary>
/// Reloads the configuration whenever the gateway's receive endpoints become ready, at start and
/// after every reconnection to the broker (spec §9): change events sent while the gateway's
/// queue did not exist are lost, so only a load made after the subscription misses nothing.
/// </summary>
public sealed class ChangeSubscriptionObserver(SnapshotLoader loader) : IReceiveEndpointObserver
{
    public Task Ready(ReceiveEndpointReady ready)
    {
        loader.RequestReload();
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
