using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

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
