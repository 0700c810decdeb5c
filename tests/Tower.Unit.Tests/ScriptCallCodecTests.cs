using System.Buffers;
using System.Text;
using Tower.Contracts.Hops;
using Tower.Contracts.Scripts;

namespace Tower.Unit.Tests;

/// <summary>The one binary form of a call and its outcome, and the frames of the script hop.</summary>
public sealed class ScriptCallCodecTests
{
    private static readonly ScriptInvocation Call = new()
    {
        CallId = Guid.NewGuid(),
        CodeHash = "hash-é-0123",
        Owner = "orders",
        Share = "orders-share",
        TimeoutMs = 1234,
        Body = Encoding.UTF8.GetBytes("{\"id\": 7, \"name\": \"Ünïcode\"}"),
        PayloadJson = "{\"id\":7}",
        Headers = new Dictionary<string, string> { ["X-Token"] = "t" },
        Query = new Dictionary<string, string> { ["a"] = "1" },
        Variables = new Dictionary<string, string> { ["v"] = "x" },
        Secrets = new Dictionary<string, string> { ["s"] = "secret" },
        RunAsUser = "admin",
        RunAsGroup = "ops",
    };

    [Fact]
    public void A_call_decodes_to_what_was_encoded_and_its_header_reads_alone()
    {
        var encoded = ScriptCallCodec.Encode(Call);

        var decoded = ScriptCallCodec.Decode(encoded);
        var header = ScriptCallCodec.ReadHeader(encoded);

        Assert.Equal(new ScriptCallHeader(Call.CallId, Call.CodeHash, Call.Owner, Call.Share, Call.TimeoutMs), header);
        Assert.Equal(Call.Body, decoded.Body);
        Assert.Equal(Call.PayloadJson, decoded.PayloadJson);
        Assert.Equal("t", decoded.Headers["x-token"]);
        Assert.Equal(Call.Query, decoded.Query);
        Assert.Equal(Call.Variables, decoded.Variables);
        Assert.Equal(Call.Secrets, decoded.Secrets);
        Assert.Equal((Call.RunAsUser, Call.RunAsGroup), (decoded.RunAsUser, decoded.RunAsGroup));
    }

    [Fact]
    public void An_outcome_decodes_to_what_was_encoded_and_its_status_reads_alone()
    {
        var outcome = new ScriptOutcome
        {
            Status = ScriptRunStatus.TimedOut, Allowed = true, HttpCode = 418, ExitCode = 3, Message = "m",
            Log = ["a", "b"], Error = "e", DurationMs = 1.5,
        };

        var encoded = ScriptCallCodec.Encode(outcome);

        Assert.Equal(ScriptRunStatus.TimedOut, ScriptCallCodec.StatusOf(encoded));
        Assert.Equivalent(outcome, ScriptCallCodec.DecodeOutcome(encoded));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(17)]
    [InlineData(20)]
    public void A_call_cut_short_is_refused_as_malformed(int length)
    {
        var encoded = ScriptCallCodec.Encode(Call).AsSpan(0, length).ToArray();

        Assert.Throws<InvalidDataException>(() => ScriptCallCodec.ReadHeader(encoded));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(ScriptCallCodec.MaxTimeoutMs + 1)]
    public void A_call_with_an_impossible_limit_is_refused_as_malformed(int timeoutMs)
    {
        var encoded = ScriptCallCodec.Encode(Call with { TimeoutMs = timeoutMs });

        Assert.Throws<InvalidDataException>(() => ScriptCallCodec.ReadHeader(encoded));
    }

    [Fact]
    public void A_call_claiming_more_bytes_than_it_holds_is_refused_without_allocating_them()
    {
        var encoded = ScriptCallCodec.Encode(Call with { Body = [] });
        var header = ScriptCallCodec.ReadHeader(encoded);
        // The body's length follows the header: 16 id bytes, three strings, the limit.
        var bodyLength = 16 + 1 + Encoding.UTF8.GetByteCount(header.CodeHash) + 1 + header.Owner.Length + 1 + header.Share.Length + 4;
        BitConverter.TryWriteBytes(encoded.AsSpan(bodyLength), int.MaxValue);

        Assert.Throws<InvalidDataException>(() => ScriptCallCodec.Decode(encoded));
        Assert.Throws<InvalidDataException>(() => ScriptCallCodec.Decode(encoded.AsMemory(0, 30)));
    }

    [Fact]
    public void An_outcome_with_an_unknown_status_is_refused_as_malformed()
    {
        Assert.Throws<InvalidDataException>(() => ScriptCallCodec.StatusOf([9, 0]));
        Assert.Throws<InvalidDataException>(() => ScriptCallCodec.DecodeOutcome(new byte[] { 9, 0 }));
    }

    [Fact]
    public void Frames_written_together_are_read_one_by_one_and_a_partial_frame_waits()
    {
        var output = new ArrayBufferWriter<byte>();
        HopFrame.Write(output, HopFrameType.Run, 1, [0], [1, 2, 3]);
        HopFrame.Write(output, HopFrameType.Outcome, 2, [], [4]);
        var whole = output.WrittenMemory.ToArray();

        var partial = new ReadOnlySequence<byte>(whole.AsMemory(0, whole.Length - 1));
        var all = new ReadOnlySequence<byte>(whole);

        Assert.True(HopFrame.TryRead(ref partial, out var first));
        Assert.Equal((HopFrameType.Run, 1u), (first.Type, first.Id));
        Assert.Equal([0, 1, 2, 3], first.Payload.ToArray());
        Assert.False(HopFrame.TryRead(ref partial, out _));
        Assert.True(HopFrame.TryRead(ref all, out _));
        Assert.True(HopFrame.TryRead(ref all, out var second));
        Assert.Equal((HopFrameType.Outcome, 2u), (second.Type, second.Id));
        Assert.Equal([4], second.Payload.ToArray());
        Assert.Equal(0, all.Length);
    }

    [Fact]
    public void A_frame_longer_than_the_limit_is_refused_from_its_header_alone()
    {
        var output = new ArrayBufferWriter<byte>();
        HopFrame.Write(output, HopFrameType.Hello, 0, [], new byte[2000]);
        var headerOnly = new ReadOnlySequence<byte>(output.WrittenMemory[..9]);
        var within = new ReadOnlySequence<byte>(output.WrittenMemory);

        Assert.Throws<InvalidDataException>(() => HopFrame.TryRead(ref headerOnly, out _, HopFrame.MaxHelloLength));
        Assert.True(HopFrame.TryRead(ref within, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 2, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 255, 255, 255, 127, 2, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 5, 0, 0, 0, 99, 0, 0, 0, 0 })]
    public void A_frame_of_impossible_length_or_unknown_type_is_refused(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Throws<InvalidDataException>(() => HopFrame.TryRead(ref buffer, out _));
    }
}
