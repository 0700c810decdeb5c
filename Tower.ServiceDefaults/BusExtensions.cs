using MassTransit;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

public static class BusExtensions
{
    public const string ConnectionName = "rabbitmq";

    /// <summary>
    /// MassTransit on the launcher's RabbitMQ, with the consumers this service registers and
    /// endpoints named after them.
    /// </summary>
    public static IHostApplicationBuilder AddTowerBus(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? configureBus = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"The connection string '{ConnectionName}' is missing; start Tower through its AppHost.");
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            // MassTransit reports usage to an outside service by default: nothing leaves a customer's network unasked.
            bus.DisableUsageTelemetry();
            configure?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(connectionString));
                configureBus?.Invoke(context, rabbit);
                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
