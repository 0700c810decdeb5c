using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Tower.System.Tests;

/// <summary>
/// The whole system as a public deployment runs it: its keys in the launcher's environment (which
/// every process the launcher starts would inherit), and the gateway on an address of its own
/// serving HTTPS, with a self-signed test certificate, to an HTTP/2 client.
/// </summary>
public sealed class DeployedTowerSystem : TowerSystem
{
    /// <summary>A loopback address other than the default, to show the setting is followed.</summary>
    public const string GatewayAddress = "127.0.0.2";

    /// <summary>Launcher variables that must reach no process but the launcher, with their values.</summary>
    public IReadOnlyDictionary<string, string> LauncherVariables { get; }

    /// <summary>The gateway's certificate, the only one its client trusts.</summary>
    public byte[] Certificate { get; }

    private readonly string _certificateDirectory = Path.Combine("/tmp", "tower-tls-" + Guid.NewGuid().ToString("N")[..12]);

    public DeployedTowerSystem()
    {
        LauncherVariables = new Dictionary<string, string>
        {
            ["TOWER_ROOT_API_KEY"] = RootApiKey,
            ["TOWER_SECRETS_KEY"] = RandomNumberGenerator.GetHexString(48, lowercase: true),
            ["Tower__TraceSampling"] = "1",
        };

        Directory.CreateDirectory(_certificateDirectory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Parse(GatewayAddress));
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        Certificate = certificate.RawData;
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private string CertificatePath => Path.Combine(_certificateDirectory, "gateway.pem");

    private string KeyPath => Path.Combine(_certificateDirectory, "gateway-key.pem");

    protected override IEnumerable<string> Settings =>
    [
        $"--Tower:GatewayListenAddress={GatewayAddress}",
        $"--Tower:GatewayCertificate={CertificatePath}",
        $"--Tower:GatewayCertificateKey={KeyPath}",
    ];

    /// <summary>
    /// The launcher runs in this process, so its environment is this process's: the launcher's
    /// variables are set here while it starts (no other system starts meanwhile), and never left
    /// behind for other systems.
    /// </summary>
    protected override async Task StartSystemAsync()
    {
        foreach (var (name, value) in LauncherVariables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            await base.StartSystemAsync();
        }
        finally
        {
            foreach (var name in LauncherVariables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    protected override HttpClient CreateGatewayClient(DistributedApplication app) => new(new SocketsHttpHandler
    {
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(Certificate),
        },
    })
    {
        BaseAddress = app.GetEndpoint("gateway", "https"),
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>A service's own address (plain HTTP on loopback), or another of its endpoints.</summary>
    public Uri Endpoint(string service, string endpoint = "http") => App.GetEndpoint(service, endpoint);

    /// <summary>The credential that internal endpoints require.</summary>
    public async Task<string> ServiceKeyAsync()
    {
        var parameter = App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(resource => resource.Name == "service-key");
        return await parameter.GetValueAsync(CancellationToken.None) ?? "";
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_certificateDirectory, recursive: true);
    }
}

