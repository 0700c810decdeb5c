using Dapper;
using Tower.Logging.Calls;

namespace Tower.Logging.Infrastructure;

internal static class LoggingServices
{
    public static IHostApplicationBuilder AddLoggingServices(this IHostApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.AddTowerDatabase("loggingdb");
        builder.Services.AddSingleton<CallStore>();
        builder.AddTowerBus(bus => bus.AddConsumer<WebhookCallsConsumer>());
        return builder;
    }
}
