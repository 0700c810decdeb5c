using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Tower.Contracts;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Tower service shares: a non-dumpable process, telemetry, health endpoints, service
/// discovery, the service credential that guards internal endpoints, and problem details for
/// every failure.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        NonDumpable.Apply();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        builder.Services.AddTowerServiceCredential();
        builder.Services.ConfigureHttpJsonOptions(options => TowerJson.Apply(options.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddTransient<IStartupFilter, ExceptionAnswers>();
        return builder;
    }

    /// <summary>
    /// Traces, metrics and logs for the OTLP endpoint the launcher names (the dashboard). Without
    /// one (Tower:Dashboard=false), nothing is collected: spans and measurements nobody exports
    /// were 2-3% of each service's CPU under load (perf). The meters stay readable by
    /// dotnet-counters, which listens to them directly, when the launcher opens the diagnostics
    /// channel (Tower:Diagnostics).
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return builder;
        }

        var serviceSource = "Tower." + builder.Environment.ApplicationName.Replace("Tower.", "", StringComparison.Ordinal);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(serviceSource, "Npgsql", "MassTransit"))
            .WithTracing(tracing => tracing
                .AddSource(serviceSource, "Npgsql", "MassTransit")
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation())
            .UseOtlpExporter();
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains("live"),
        });
        return app;
    }
}
