using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Tower.Contracts.Networking;

namespace Tower.Scripting;

// The members below are the names scripts use, so they follow the spec's style, not .NET naming.
#pragma warning disable IDE1006

/// <summary>What outbound HTTP from scripts may reach, set once per worker process.</summary>
public sealed record ScriptHttpPolicy(IReadOnlyList<string> AllowedHosts, int MaxResponseBytes)
{
    public const int DefaultMaxResponseBytes = 1024 * 1024;

    public static ScriptHttpPolicy Default { get; } = new([], DefaultMaxResponseBytes);
}

/// <summary>Refused outbound HTTP: a forbidden address, a scheme, a size or a redirect loop.</summary>
public sealed class ScriptHttpException(string message) : Exception(message);

/// <summary>An answer to a script's request.</summary>
public sealed class ScriptHttpResponse
{
    internal ScriptHttpResponse(int status, string body, IReadOnlyDictionary<string, string> headers)
    {
        this.status = status;
        this.body = body;
        this.headers = headers;
    }

    public int status { get; }
    public string body { get; }
    public IReadOnlyDictionary<string, string> headers { get; }
    public bool ok => status is >= 200 and < 300;

    /// <summary>The body parsed as JSON.</summary>
    public JsonNode? json() => JsonNode.Parse(body);
}

/// <summary>
/// The <c>http</c> global of webhook code. Every connection is checked after name resolution,
/// on every redirect: loopback, link-local, private, multicast and this machine's own addresses
/// are refused unless the host is allowed by configuration. Answers are capped in size, and a
/// request never outlives the script's deadline.
/// </summary>
public sealed class ScriptHttp
{
    private const int MaxRedirects = 5;

    private static ScriptHttpPolicy _policy = ScriptHttpPolicy.Default;
    private static HashSet<string> _allowedHosts = new(StringComparer.OrdinalIgnoreCase);
    private static Lazy<HttpClient> _client = new(CreateClient);
    private static readonly Lazy<HashSet<IPAddress>> OwnAddresses = new(ReadOwnAddresses);

    /// <summary>Sets the policy of this process (the worker's parent sends it when the worker starts).</summary>
    internal static void Configure(ScriptHttpPolicy policy)
    {
        _policy = policy;
        _allowedHosts = new HashSet<string>(policy.AllowedHosts, StringComparer.OrdinalIgnoreCase);
        // Pooled connections were vetted under the old policy: start afresh.
        _client = new Lazy<HttpClient>(CreateClient);
    }

    public Task<ScriptHttpResponse> get(string url, IReadOnlyDictionary<string, string>? headers = null) =>
        send("GET", url, null, null, headers);

    public Task<ScriptHttpResponse> post(string url, string body, string content_type = "application/json",
        IReadOnlyDictionary<string, string>? headers = null) =>
        send("POST", url, body, content_type, headers);

    public async Task<ScriptHttpResponse> send(string method, string url, string? body = null, string? content_type = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        // A request the script does not await is work left running when the call ends.
        ScriptGuard.Enter();
        try
        {
            return await SendAsync(method, url, body, content_type, headers);
        }
        finally
        {
            ScriptGuard.Exit();
        }
    }

    private static async Task<ScriptHttpResponse> SendAsync(string method, string url, string? body, string? content_type,
        IReadOnlyDictionary<string, string>? headers)
    {
        using var deadline = new CancellationTokenSource(ScriptGuard.Remaining());
        var target = Parse(url);
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), target);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, content_type ?? "text/plain");
            }

            foreach (var (name, value) in headers ?? ScriptGlobals.EmptyMap)
            {
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    request.Content?.Headers.TryAddWithoutValidation(name, value);
                }
            }

            using var response = await _client.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
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
            var responseHeaders = response.Headers.Concat(response.Content.Headers)
                .GroupBy(header => header.Key, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(group => group.Key, group => string.Join(", ", group.SelectMany(header => header.Value)), StringComparer.OrdinalIgnoreCase);
            return new ScriptHttpResponse((int)response.StatusCode, text, responseHeaders.AsReadOnly());
        }
    }

    private static Uri Parse(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ScriptHttpException($"'{url}' is not an absolute http or https URL.");

    private static async Task<string> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
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

    private static HttpClient CreateClient() => new(new SocketsHttpHandler
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

    /// <summary>Resolves the host once, refuses forbidden addresses, and connects to a vetted address.</summary>
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
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
}
