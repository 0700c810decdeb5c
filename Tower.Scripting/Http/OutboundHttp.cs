using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Tower.Contracts.Networking;

namespace Tower.Scripting;

/// <summary>
/// Carries out scripts' requests in the service, outside the worker that runs untrusted code.
/// Every connection is checked after name resolution, on every redirect: loopback, link-local,
/// private, multicast and this machine's own addresses are refused unless the host is allowed by
/// configuration. Answers are capped in size, and a request never outlives the script's deadline.
/// </summary>
internal sealed class OutboundHttp : IScriptHttpTransport, IDisposable
{
    private const int MaxRedirects = 5;

    private static readonly Lazy<HashSet<IPAddress>> OwnAddresses = new(ReadOwnAddresses);

    private readonly ScriptHttpPolicy _policy;
    private readonly HashSet<string> _allowedHosts;
    private readonly HttpClient _client;

    public OutboundHttp(ScriptHttpPolicy policy)
    {
        _policy = policy;
        _allowedHosts = new HashSet<string>(policy.AllowedHosts, StringComparer.OrdinalIgnoreCase);
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = ConnectAsync,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<ScriptHttpResponse> SendAsync(ScriptHttpRequest request, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(request.Timeout);
        var (method, body) = (request.Method, request.Body);
        var target = Parse(request.Url);
        for (var redirects = 0; ; redirects++)
        {
            using var message = new HttpRequestMessage(new HttpMethod(method), target);
            if (body is not null)
            {
                message.Content = new StringContent(body, Encoding.UTF8, request.ContentType ?? "text/plain");
            }

            foreach (var (name, value) in request.Headers)
            {
                if (!message.Headers.TryAddWithoutValidation(name, value))
                {
                    message.Content?.Headers.TryAddWithoutValidation(name, value);
                }
            }

            using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if ((int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                if (redirects >= MaxRedirects)
                {
                    throw new ScriptHttpException($"More than {MaxRedirects} redirects.");
                }

                target = Parse(new Uri(target, location).ToString());
                if ((int)response.StatusCode == 303 || ((int)response.StatusCode is 301 or 302 && method == "POST"))
                {
                    (method, body) = ("GET", null);
                }

                continue;
            }

            var text = await ReadCappedAsync(response.Content, deadline.Token);
            var headers = response.Headers.Concat(response.Content.Headers)
                .GroupBy(header => header.Key, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(group => group.Key, group => string.Join(", ", group.SelectMany(header => header.Value)), StringComparer.OrdinalIgnoreCase);
            return new ScriptHttpResponse((int)response.StatusCode, text, headers.AsReadOnly());
        }
    }

    private static Uri Parse(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ScriptHttpException($"'{url}' is not an absolute http or https URL.");

    private async Task<string> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var max = _policy.MaxResponseBytes;
        if (content.Headers.ContentLength > max)
        {
            throw new ScriptHttpException($"The response is larger than {max} bytes.");
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw new ScriptHttpException($"The response is larger than {max} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Resolves the host once, refuses forbidden addresses, and connects to a vetted address.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new ScriptHttpException($"'{host}' has no address.");
        }

        if (!_allowedHosts.Contains(host))
        {
            foreach (var address in addresses)
            {
                if (IsForbidden(address))
                {
                    throw new ScriptHttpException($"'{host}' resolves to {address}, which scripts may not reach.");
                }
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    internal static bool IsForbidden(IPAddress address)
    {
        address = IpRangeList.Normalize(address);
        return IpRangeList.SpecialPurpose.Contains(address) || OwnAddresses.Value.Contains(address);
    }

    private static HashSet<IPAddress> ReadOwnAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(network => network.GetIPProperties().UnicastAddresses)
                .Select(unicast => IpRangeList.Normalize(unicast.Address))
                .ToHashSet();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }

    public void Dispose() => _client.Dispose();
}
