using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Tower.Contracts.Hops;
using Tower.Scripting.Hosting;

namespace Tower.Unit.Tests;

/// <summary>
/// The hop's blocking reader and writer over a real loopback connection: frames arrive whole
/// however the bytes are cut, frames larger than the reader's first buffer get room, a stranger's
/// oversized announcement is refused from its header, and frames queued while a send is under
/// way go out too.
/// </summary>
public sealed class HopConnectionTests : IDisposable
{
    private readonly Socket _client;
    private readonly Socket _server;

    public HopConnectionTests()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _client.Connect(listener.LocalEndPoint!);
        _server = listener.Accept();
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task Frames_cut_at_every_byte_arrive_whole_and_in_order()
    {
        var bytes = Frames((HopFrameType.Run, 1, [1, 2, 3]), (HopFrameType.Cancel, 2, []), (HopFrameType.Run, 3, [9]));
        var reading = Task.Run(() => ReadAll(3));

        foreach (var b in bytes)
        {
            _client.Send([b]);
        }

        var frames = await reading;
        Assert.Equal([(HopFrameType.Run, 1u), (HopFrameType.Cancel, 2u), (HopFrameType.Run, 3u)], frames.Select(f => (f.Type, f.Id)));
        Assert.Equal([1, 2, 3], frames[0].Payload);
        Assert.Equal([9], frames[2].Payload);
    }

    [Fact]
    public async Task A_frame_larger_than_the_first_buffer_is_read_whole()
    {
        var payload = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        var reading = Task.Run(() => ReadAll(2));

        _client.Send(Frames((HopFrameType.Outcome, 7, [5]), (HopFrameType.Outcome, 8, payload)));

        var frames = await reading;
        Assert.Equal([5], frames[0].Payload);
        Assert.Equal(payload, frames[1].Payload);
    }

    [Fact]
    public void An_announced_frame_over_the_limit_is_refused_before_its_bytes_arrive()
    {
        using var reader = new HopReader(_server);
        _client.Send(Frames((HopFrameType.Hello, 0, new byte[HopFrame.MaxHelloLength + 1]))[..9]);

        Assert.True(reader.Receive(HopFrame.MaxHelloLength));
        Assert.Throws<InvalidDataException>(() => reader.TryRead(out _, HopFrame.MaxHelloLength));
    }

    [Fact]
    public async Task Frames_written_from_many_threads_all_arrive_and_a_closed_peer_closes_the_writer()
    {
        var closed = new TaskCompletionSource();
        var writer = new HopWriter(_client, _ => closed.TrySetResult());
        var reading = Task.Run(() => ReadAll(200));

        Parallel.For(0, 200, i => Assert.True(writer.TryWrite(HopFrameType.Run, (uint)i, new byte[] { 1 }, new byte[100])));

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (uint)i), (await reading).Select(f => f.Id).Order());
        _server.Close();
        // The first send after the peer's close may still be accepted by the kernel; one soon after is refused.
        for (var i = 0; i < 50 && !closed.Task.IsCompleted; i++)
        {
            writer.TryWrite(HopFrameType.Run, 999, ReadOnlyMemory<byte>.Empty, new byte[1000]);
            await Task.Delay(20);
        }

        Assert.True(closed.Task.IsCompleted);
        Assert.False(writer.TryWrite(HopFrameType.Run, 1000, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty));
    }

    [Theory]
    [InlineData("tcp://localhost:7001", "127.0.0.1:7001")]
    [InlineData("tcp://127.0.0.1:7002", "127.0.0.1:7002")]
    [InlineData("tcp://[::1]:7003", "[::1]:7003")]
    public void The_hop_url_names_the_addresses_to_listen_on(string url, string first)
    {
        Assert.Equal(first, ScriptHopListener.Endpoints(url)[0].ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("http://localhost:7001")]
    [InlineData("tcp://localhost")]
    [InlineData("tcp://example.com:7001")]
    [InlineData("tcp://localhost:7001/path")]
    public void A_missing_or_malformed_hop_url_stops_the_service_naming_the_setting(string? url)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ScriptHopListener.Endpoints(url));
        Assert.Contains(ScriptHopListener.UrlKey, error.Message, StringComparison.Ordinal);
    }

    private List<(HopFrameType Type, uint Id, byte[] Payload)> ReadAll(int count)
    {
        using var reader = new HopReader(_server);
        var frames = new List<(HopFrameType, uint, byte[])>();
        while (frames.Count < count && reader.Receive())
        {
            while (reader.TryRead(out var frame))
            {
                frames.Add((frame.Type, frame.Id, frame.Payload.ToArray()));
            }
        }

        return frames;
    }

    private static byte[] Frames(params (HopFrameType Type, uint Id, byte[] Payload)[] frames)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (type, id, payload) in frames)
        {
            HopFrame.Write(output, type, id, [], payload);
        }

        return output.WrittenMemory.ToArray();
    }
}
