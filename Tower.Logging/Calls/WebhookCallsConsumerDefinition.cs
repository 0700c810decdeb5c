using MassTransit;

namespace Tower.Logging.Calls;

/// <summary>
/// How the gateway's batches are gathered into stores. Each store is a COPY and a commit, whose
/// fixed cost (~0.8 ms of PostgreSQL's CPU) outweighed its rows when every gateway batch (a few
/// calls under moderate load) was stored alone; gathered for up to <see cref="BatchWindow"/>,
/// a store carries a hundred calls or more. The wait only delays when a record becomes visible:
/// calls are answered once the broker holds their records.
/// </summary>
public sealed class WebhookCallsConsumerDefinition : ConsumerDefinition<WebhookCallsConsumer>
{
    public const int MessagesPerBatch = 100;
    public const int ConcurrentBatches = 2;
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(50);

    public WebhookCallsConsumerDefinition() => ConcurrentMessageLimit = MessagesPerBatch * ConcurrentBatches;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<WebhookCallsConsumer> consumerConfigurator, IRegistrationContext context)
    {
        consumerConfigurator.Options<BatchOptions>(options => options
            .SetMessageLimit(MessagesPerBatch)
            .SetTimeLimit(BatchWindow)
            .SetConcurrencyLimit(ConcurrentBatches));
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = MessagesPerBatch * ConcurrentBatches;
        }
    }
}
