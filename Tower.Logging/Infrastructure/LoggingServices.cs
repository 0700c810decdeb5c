using Dapper;
using Tower.Logging.Calls;
using Tower.Logging.GeoIp;
using Tower.Logging.Retention;

namespace Tower.Logging.Infrastructure;

internal static class LoggingServices
{
    public static IHostApplicationBuilder AddLoggingServices(this IHostApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.AddTowerDatabase("loggingdb");
        builder.Services.AddSingleton<CallStore>();
        builder.Services.AddSingleton<Dedup.DedupStore>();
        builder.Services.AddSingleton<Async.AsyncJobStore>();
        builder.Services.AddOptions<GeoIpOptions>().BindConfiguration(GeoIpOptions.Section);
        builder.Services.AddSingleton<CountryLookup>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SettingsStore>();
        builder.Services.AddSingleton<PartitionMaintenance>();
        builder.Services.AddSingleton<RetentionService>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<RetentionService>());
        builder.AddTowerBus(bus => bus.AddConsumer<WebhookCallsConsumer>(typeof(WebhookCallsConsumerDefinition)));
        return builder;
    }
}
