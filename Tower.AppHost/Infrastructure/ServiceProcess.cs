using System.Globalization;

namespace Tower.AppHost.Infrastructure;

internal static class ServiceProcess
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    /// <summary>
    /// Adds the service of <typeparamref name="TProject"/>, run as <paramref name="settings"/> say;
    /// its traces, metrics and logs go to the dashboard when they are exported, the traces of a
    /// sampled share of calls (<see cref="TraceSampling"/>).
    /// </summary>
    public static IResourceBuilder<ServiceProcessResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name,
        ServiceSettings settings)
        where TProject : IProjectMetadata, new()
    {
        var project = new TProject().ProjectPath;
        var output = Path.Combine(Path.GetDirectoryName(project)!, "bin", Configuration, "net10.0");
        // Run from the build output (its copy of appsettings.json is the content root's), or from a
        // copy the service's user can read.
        var directory = settings.User?.ReadableFolder(output, name) ?? output;
        var assembly = Path.Combine(directory, Path.GetFileNameWithoutExtension(project) + ".dll");
        var (command, prefix) = settings.User?.Command("dotnet") ?? ("dotnet", []);
        var service = builder.AddResource(new ServiceProcessResource(name, command, directory))
            .WithArgs([.. prefix, assembly])
            .WithEnvironment("DOTNET_ENVIRONMENT", settings.Environment)
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", settings.Environment)
            .WithAnnotation(new SupervisedAnnotation())
            .ExcludeFromManifest();
        if (settings.User is not null)
        {
            service.WithEnvironment("HOME", settings.User.Home);
        }

        if (!settings.Diagnostics)
        {
            service.WithEnvironment("DOTNET_EnableDiagnostics", "0");
        }

        if (!settings.ExportTelemetry)
        {
            return service;
        }

        // Aspire's own setting keeps every span (OTEL_TRACES_SAMPLER=always_on); these, set after it,
        // replace it: the gateway's root span keeps a call with that probability, and every other
        // service follows the sampled flag its caller propagates.
        service.WithOtlpExporter();
        return settings.TraceSampling < 1
            ? service.WithEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
                .WithEnvironment("OTEL_TRACES_SAMPLER_ARG", settings.TraceSampling.ToString(CultureInfo.InvariantCulture))
            : service;
    }

    /// <summary>Plain HTTP on loopback at <paramref name="port"/>, with the service's <c>/health</c> as its health check.</summary>
    public static IResourceBuilder<ServiceProcessResource> WithLoopbackHttp(this IResourceBuilder<ServiceProcessResource> service, int port) =>
        service
            .WithHttpEndpoint(port: port, isProxied: false)
            .WithEnvironment("ASPNETCORE_URLS", "http://localhost:" + port.ToString(CultureInfo.InvariantCulture))
            .WithHttpHealthCheck("/health");

    /// <summary>
    /// A script service's two loopback listeners: HTTP at <paramref name="httpPort"/> for its
    /// <c>/health</c>, and the script hop (calls from the gateway, as frames over TCP) at
    /// <paramref name="hopPort"/>, found by the gateway as its endpoint <c>hop</c>.
    /// </summary>
    public static IResourceBuilder<ServiceProcessResource> WithScriptHop(this IResourceBuilder<ServiceProcessResource> service, int httpPort, int hopPort) =>
        service
            .WithHttpEndpoint(port: httpPort, isProxied: false)
            .WithEndpoint(port: hopPort, scheme: "tcp", name: "hop", isProxied: false)
            .WithEnvironment("Kestrel__Endpoints__Http__Url", "http://localhost:" + httpPort.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("ScriptHop__Url", "tcp://localhost:" + hopPort.ToString(CultureInfo.InvariantCulture))
            .WithHttpHealthCheck("/health");

    /// <summary>The gateway's public listener: its address, and HTTPS with its certificate when one is set.</summary>
    public static IResourceBuilder<ServiceProcessResource> WithGatewayListener(this IResourceBuilder<ServiceProcessResource> service, GatewayListener listener)
    {
        var endpoint = listener.Certificate is null
            ? service.WithHttpEndpoint(port: listener.Port, isProxied: false)
            : service.WithHttpsEndpoint(port: listener.Port, isProxied: false)
                .WithEnvironment("Kestrel__Certificates__Default__Path", listener.Certificate)
                .WithEnvironment("Kestrel__Certificates__Default__KeyPath", listener.CertificateKey);
        return endpoint
            .WithEndpoint(listener.Scheme, annotation => annotation.TargetHost = listener.Host, createIfNotExists: false)
            .WithEnvironment("ASPNETCORE_URLS", listener.Url)
            .WithHealthCheck(listener.AddHealthCheck(service.ApplicationBuilder, $"{service.Resource.Name}_health"));
    }
}
