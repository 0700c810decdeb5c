namespace Tower.AppHost.Infrastructure;

/// <summary>How the launcher runs every Tower service.</summary>
/// <param name="Environment">The services' host environment: <c>Production</c> unless a developer sets <c>Tower:Environment</c>.</param>
/// <param name="Diagnostics">
/// Whether .NET's diagnostics channel (dotnet-counters, dotnet-trace, dotnet-dump, debuggers) is
/// open: it answers any process of the service's user, the service's environment included, so it
/// is closed unless <c>Tower:Diagnostics</c> is <c>true</c>.
/// </param>
/// <param name="ExportTelemetry">Whether traces, metrics and logs go to the dashboard.</param>
/// <param name="TraceSampling">The share of calls whose traces are kept (<see cref="Infrastructure.TraceSampling"/>).</param>
/// <param name="User">The unprivileged user the services run as when the launcher is root, or null to run them as the launcher's user.</param>
internal sealed record ServiceSettings(string Environment, bool Diagnostics, bool ExportTelemetry, double TraceSampling, ServiceUser? User);
