using Tower.Contracts.Configuration;

namespace Tower.Gateway.Configuration;

/// <summary>Every gateway replica receives every change event on its own temporary queue.</summary>
public sealed class ConfigChangedConsumer(SnapshotLoader loader) : MassTransit.IConsumer<WebhookConfigChanged>
{
    public Task Consume(MassTransit.ConsumeContext<WebhookConfigChanged> context)
    {
        loader.RequestReload();
        return Task.CompletedTask;
    }
}
