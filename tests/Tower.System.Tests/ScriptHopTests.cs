using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Tower.Contracts.Scripts;
using Tower.Scripting;

namespace Tower.System.Tests;

/// <summary>
/// The script hop (calls from the gateway to Auth and Executor, as frames over TCP) refuses
/// whoever does not present the service credential, and malformed input closes only its own
/// connection or fails only its own call: the services keep serving the gateway.
/// </summary>
[Collection(DeployedTowerSystemCollection.Name)]
public sealed class ScriptHopTests(DeployedTowerSystem tower)
{
    private const byte Hello = 1;
    private const byte Run = 2;
    private const byte Fault = 4;
    private const byte Cancel = 5;

    [Theory]
    [InlineData("auth")]
    [InlineData("executor")]
    public async Task A_connection_without_the_service_credential_is_closed_unanswered(string service)
    {
        using var client = await ConnectAsync(service);
        var stream = client.GetStream();

        await stream.WriteAsync(Frame(Hello, 0, Encoding.UTF8.GetBytes(new string('0', 64))));
        await stream.WriteAsync(Frame(Run, 1, [0, .. new byte[40]]));

        Assert.Equal(0, await ReadToEndAsync(stream));
        await AssertTheGatewayStillServesAsync();
    }

    [Theory]
    [InlineData("auth")]
    [InlineData("executor")]
    public async Task Bytes_that_are_no_frame_close_the_connection(string service)
    {
        using var client = await ConnectAsync(service);
        var stream = client.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));

        Assert.Equal(0, await ReadToEndAsync(stream));
        await AssertTheGatewayStillServesAsync();
    }

    [Theory]
    [InlineData("auth")]
    [InlineData("executor")]
    public async Task A_stranger_announcing_a_large_frame_is_closed_before_it_is_sent(string service)
    {
        using var client = await ConnectAsync(service);
        var stream = client.GetStream();
        var header = new byte[9];
        BinaryPrimitives.WriteInt32LittleEndian(header, 32 * 1024 * 1024);
        header[4] = Hello;

        await stream.WriteAsync(header);

        Assert.Equal(0, await ReadToEndAsync(stream));
        await AssertTheGatewayStillServesAsync();
    }

    [Theory]
    [InlineData("auth")]
    [InlineData("executor")]
    public async Task A_malformed_call_from_a_credentialed_peer_fails_alone_with_a_fault(string service)
    {
        using var client = await ConnectAsync(service);
        var stream = client.GetStream();
        await stream.WriteAsync(Frame(Hello, 0, Encoding.UTF8.GetBytes(await tower.ServiceKeyAsync())));

        await stream.WriteAsync(Frame(Run, 7, [0, 1, 2, 3]));
        var (type, id, payload) = await ReadFrameAsync(stream);

        Assert.Equal((Fault, 7u), (type, id));
        Assert.StartsWith("The call is malformed", Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
        await AssertTheGatewayStillServesAsync();
    }

    [Fact]
    public async Task A_call_cancelled_while_it_waits_for_a_worker_is_never_run()
    {
        // Every Executor worker is kept busy by calls to a webhook that spins until its limit (its
        // own max_concurrency lets it hold more than half of them).
        const string code = "while (true) { }";
        var reference = "hop_busy_" + Guid.NewGuid().ToString("N")[..8];
        var created = await tower.Admin.PostAsJsonAsync("/api/authenticators", new { reference, name = reference });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        created = await tower.Admin.PostAsJsonAsync("/api/webhooks", new
        {
            reference, name = reference, authenticator = reference, endpoint = "hop/" + reference, code, timeout_ms = 1000,
            max_concurrency = 8,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var busy = Enumerable.Range(0, 8).Select(_ => CallUntilFoundAsync("/cetmix_tower_webhooks/hop/" + reference)).ToList();
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        using var client = await ConnectAsync("executor");
        var stream = client.GetStream();
        await stream.WriteAsync(Frame(Hello, 0, Encoding.UTF8.GetBytes(await tower.ServiceKeyAsync())));
        var call = ScriptCallCodec.Encode(new ScriptInvocation
        {
            CallId = Guid.CreateVersion7(), CodeHash = ScriptIdentity.Of(ScriptKind.Webhook, code), Owner = reference, TimeoutMs = 1000,
            Body = "{}"u8.ToArray(), PayloadJson = "{}", Headers = new Dictionary<string, string>(), Query = new Dictionary<string, string>(),
            Variables = new Dictionary<string, string>(), Secrets = new Dictionary<string, string>(),
        });
        await stream.WriteAsync(Frame(Run, 9, [0, .. call]));
        await stream.WriteAsync(Frame(Cancel, 9, []));

        // Run, it would have timed out after a second and been answered with an outcome.
        var (type, id, payload) = await ReadFrameAsync(stream);
        Assert.Equal((Fault, 9u), (type, id));
        Assert.Equal("The gateway cancelled the call.", Encoding.UTF8.GetString(payload));
        // The busy calls end as timed out, or unavailable for those that waited past their deadline.
        Assert.All(await Task.WhenAll(busy), status => Assert.Contains(status, new[] { HttpStatusCode.GatewayTimeout, HttpStatusCode.ServiceUnavailable }));
    }

    private async Task<HttpStatusCode> CallUntilFoundAsync(string path)
    {
        // A new webhook reaches the gateway through a change event, within moments.
        for (var attempt = 0; ; attempt++)
        {
            using var response = await tower.Gateway.PostAsync(path, new StringContent("{}"));
            if (response.StatusCode != HttpStatusCode.NotFound || attempt == 40)
            {
                return response.StatusCode;
            }

            await Task.Delay(50);
        }
    }

    private async Task<TcpClient> ConnectAsync(string service)
    {
        var endpoint = tower.Endpoint(service, "hop");
        var client = new TcpClient();
        await client.ConnectAsync(endpoint.Host == "localhost" ? IPAddress.Loopback.ToString() : endpoint.Host, endpoint.Port);
        client.ReceiveTimeout = 10000;
        return client;
    }

    private async Task AssertTheGatewayStillServesAsync()
    {
        using var response = await tower.Gateway.PostAsync("/cetmix_tower_webhooks/warm-up", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static byte[] Frame(byte type, uint id, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, 5 + payload.Length);
        frame[4] = type;
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(5), id);
        payload.CopyTo(frame, 9);
        return frame;
    }

    /// <summary>How many bytes arrive before the service closes the connection (within 10 s).</summary>
    private static async Task<int> ReadToEndAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var total = 0;
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) is var read and > 0)
            {
                total += read;
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }

        return total;
    }

    private static async Task<(byte Type, uint Id, byte[] Payload)> ReadFrameAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var header = new byte[9];
        await stream.ReadExactlyAsync(header, timeout.Token);
        var payload = new byte[BinaryPrimitives.ReadInt32LittleEndian(header) - 5];
        await stream.ReadExactlyAsync(payload, timeout.Token);
        return (header[4], BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(5)), payload);
    }
}
