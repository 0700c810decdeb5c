
namespace Tower.AppHost.Infrastructure;

/// <summary>
/// A Tower service started from its built assembly (<c>dotnet Tower.X.dll</c>) rather than
/// through <c>dotnet run</c>, which would keep a second .NET process (~130 MB) per service alive
/// and evaluate the project on every start. Other services find it through service discovery.
/// </summary>
internal sealed class ServiceProcessResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithServiceDiscovery;
