using Dapper;
using Tower.Logging.Calls;
using Tower.Logging.GeoIp;

namespace Tower.Logging.Infrastructure;

internal static class LoggingServices
{
    public static IHostApplicationBuilder AddLoggingServices(this IHostApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.AddTowerDatabase("loggingdb");
        builder.Services.AddSingleton<CallStore>();
        builder.Services.AddOptions<GeoIpOptions>().BindConfiguration(GeoIpOptions.Section);
        builder.Services.AddSingleton<CountryLookup>();
        builder.AddTowerBus(bus => bus.AddConsumer<WebhookCallsConsumer>());
        return builder;
    }
}
