using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tower.AppHost.Infrastructure;

/// <summary>
/// Where the public gateway listens: <c>Tower:GatewayListenAddress</c> (<c>localhost</c>, loopback
/// only, by default; <c>0.0.0.0</c>, <c>::</c> or one of the host's addresses for a public
/// deployment), and how: plain HTTP by default, or HTTPS (with HTTP/2) on the same port when
/// <c>Tower:GatewayCertificate</c> and <c>Tower:GatewayCertificateKey</c> name PEM files.
/// </summary>
internal sealed class GatewayListener
{
    private const string Loopback = "localhost";

    private GatewayListener(string host, int port, string? certificate, string? certificateKey)
    {
        Host = host;
        Port = port;
        Certificate = certificate;
        CertificateKey = certificateKey;
    }

    /// <summary><c>localhost</c> or an IP address.</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>The certificate's PEM file (its chain may follow it), or null for plain HTTP.</summary>
    public string? Certificate { get; }

    /// <summary>The certificate's unencrypted PEM private key.</summary>
    public string? CertificateKey { get; }

    public string Scheme => Certificate is null ? "http" : "https";

    /// <summary>The address Kestrel binds.</summary>
    public string Url => $"{Scheme}://{UrlHost(Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The default base of webhooks' <c>full_url</c>.</summary>
    public string DefaultPublicBaseUrl => $"{Scheme}://localhost:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads and checks the settings; a wrong one stops the launcher with what is expected.</summary>
    public static GatewayListener FromSettings(IConfiguration tower, int port)
    {
        var host = tower["GatewayListenAddress"] is { Length: > 0 } configured ? configured : Loopback;
        if (host != Loopback
            && !(IPAddress.TryParse(host, out var address) && (address.AddressFamily == AddressFamily.InterNetworkV6 || address.ToString() == host)))
        {
            throw new InvalidOperationException(
                $"Tower:GatewayListenAddress is '{host}': expected localhost, 0.0.0.0 (every IPv4 address), :: (every address) or one IP address of this host.");
        }

        var certificate = tower["GatewayCertificate"] is { Length: > 0 } certificatePath ? Path.GetFullPath(certificatePath) : null;
        var key = tower["GatewayCertificateKey"] is { Length: > 0 } keyPath ? Path.GetFullPath(keyPath) : null;
        if ((certificate is null) != (key is null))
        {
            throw new InvalidOperationException("Set both Tower:GatewayCertificate and Tower:GatewayCertificateKey (PEM files) for HTTPS, or neither for plain HTTP.");
        }

        if (certificate is not null)
        {
            CheckCertificate(certificate, key!);
        }

        return new GatewayListener(host, port, certificate, key);
    }

    /// <summary>
    /// This listener with its certificate and key readable by the services' user: copies that only
    /// that user can read, in the data folder (the originals need only be readable by the launcher).
    /// </summary>
    public GatewayListener ReadableBy(ServiceUser? user, LocalLayout layout)
    {
        if (user is null || Certificate is null)
        {
            return this;
        }

        var folder = layout.OwnedDirectory("gateway-certificate", user.Name, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var certificate = Path.Combine(folder, "certificate.pem");
        var key = Path.Combine(folder, "key.pem");
        LocalLayout.WriteOwnerOnly(certificate, File.ReadAllText(Certificate));
        LocalLayout.WriteOwnerOnly(key, File.ReadAllText(CertificateKey!));
        LocalLayout.Run("chown", $"{user.Name}:{user.Name}", certificate, key);
        return new GatewayListener(Host, Port, certificate, key);
    }

    /// <summary>
    /// A health check on the gateway's <c>/health</c> through its own listener. Over HTTPS it
    /// accepts exactly the configured certificate, whoever issued it: the launcher reaches the
    /// gateway by an address the certificate need not name.
    /// </summary>
    public string AddHealthCheck(IDistributedApplicationBuilder builder, string key)
    {
        var handler = new SocketsHttpHandler();
        if (Certificate is not null)
        {
            using var expected = X509Certificate2.CreateFromPem(File.ReadAllText(Certificate));
            var expectedBytes = expected.RawData;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(expectedBytes);
        }

        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        var health = new Uri($"{Scheme}://{UrlHost(ProbeHost())}:{Port.ToString(CultureInfo.InvariantCulture)}/health");
        builder.Services.AddHealthChecks().AddAsyncCheck(key, async cancellationToken =>
        {
            try
            {
                using var response = await client.GetAsync(health, cancellationToken);
                return response.IsSuccessStatusCode
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"{health} answered {(int)response.StatusCode}.");
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return HealthCheckResult.Unhealthy($"{health}: {exception.Message}");
            }
        });
        return key;
    }

    /// <summary>Loopback when the gateway listens on every address, else the address itself.</summary>
    private string ProbeHost() => Host switch
    {
        "0.0.0.0" => "127.0.0.1",
        _ when IPAddress.TryParse(Host, out var address) && address.Equals(IPAddress.IPv6Any) => "::1",
        _ => Host,
    };

    private static string UrlHost(string host) =>
        IPAddress.TryParse(host, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;

    /// <summary>Loads the pair once, so that a missing file or a key of another certificate stops the launcher rather than the gateway.</summary>
    private static void CheckCertificate(string certificate, string key)
    {
        try
        {
            using var pair = X509Certificate2.CreateFromPemFile(certificate, key);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"The gateway's certificate '{certificate}' and key '{key}' could not be loaded as a PEM certificate and its unencrypted private key: {exception.Message}", exception);
        }
    }
}
