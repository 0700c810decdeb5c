using Aspire.Hosting.ApplicationModel;

namespace Tower.AppHost.Infrastructure;

/// <summary>
/// A Tower service started from its built assembly (<c>dotnet Tower.X.dll</c>) rather than
/// through <c>dotnet run</c>, which would keep a second .NET process (~130 MB) per service alive
/// and evaluate the project on every start. Other services find it through service discovery.
/// </summary>
internal sealed class ServiceProcessResource(string name, string workingDirectory, string assembly)
    : ExecutableResource(name, "dotnet", workingDirectory), IResourceWithServiceDiscovery
{
    public string Assembly { get; } = assembly;
}

internal static class ServiceProcess
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    /// <summary>
    /// Adds the service of <typeparamref name="TProject"/>, listening on loopback at <paramref name="port"/>;
    /// its traces, metrics and logs go to the dashboard when <paramref name="exportTelemetry"/>, the
    /// traces of a <paramref name="traceSampling"/> share of calls (<see cref="TraceSampling"/>).
    /// </summary>
    public static IResourceBuilder<ServiceProcessResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name, int port,
        bool exportTelemetry, double traceSampling)
        where TProject : IProjectMetadata, new()
    {
        var project = new TProject().ProjectPath;
        var directory = Path.GetDirectoryName(project)!;
        var assembly = Path.Combine(directory, "bin", Configuration, "net10.0", Path.GetFileNameWithoutExtension(project) + ".dll");
        var service = builder.AddResource(new ServiceProcessResource(name, directory, assembly))
            .WithArgs(assembly)
            .WithHttpEndpoint(port: port, isProxied: false)
            .WithEnvironment("ASPNETCORE_URLS", "http://localhost:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("DOTNET_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .ExcludeFromManifest();
        if (!exportTelemetry)
        {
            return service;
        }

        // Aspire's own setting keeps every span (OTEL_TRACES_SAMPLER=always_on); these, set after it,
        // replace it: the gateway's root span keeps a call with that probability, and every other
        // service follows the sampled flag its caller propagates.
        service.WithOtlpExporter();
        return traceSampling < 1
            ? service.WithEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
                .WithEnvironment("OTEL_TRACES_SAMPLER_ARG", traceSampling.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : service;
    }
}
