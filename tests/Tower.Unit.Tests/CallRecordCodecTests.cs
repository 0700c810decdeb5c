using Tower.Contracts.Calls;

namespace Tower.Unit.Tests;

public sealed class CallRecordCodecTests
{
    private static WebhookCallRecord Record(int i) => new()
    {
        Id = Guid.CreateVersion7(),
        CreatedAt = new DateTimeOffset(2026, 11, 29, 1, 2, 3, TimeSpan.Zero).AddTicks(i),
        Webhook = "orders",
        Authenticator = "shop",
        Endpoint = "shop/orders",
        RequestMethod = "POST",
        RequestHeaders = "{\"X-Token\": \"*****\", \"Accept\": \"ü\"}",
        RequestQuery = "{}",
        RequestPayload = "{\"id\": " + i + ", \"text\": \"日本 🚀 \\u0000\"}",
        PayloadIsJson = i % 2 == 0,
        AuthenticationStatus = CallStatus.Success,
        CodeStatus = CallStatus.Failed,
        HttpStatus = 500 + i,
        ResultMessage = "message " + i,
        ErrorMessage = "error\nwith lines",
        ScriptLog = "log\0with NUL",
        IpAddress = "2001:db8::1",
        PeerIp = "127.0.0.1",
        RunAsUser = "admin",
        DurationMs = 12.5 + i,
        Source = i % 2 == 0 ? CallSource.Call : CallSource.Async,
        DuplicateOf = i == 1 ? Guid.CreateVersion7() : null,
        ParentId = i % 2 == 1 ? Guid.CreateVersion7() : null,
        Attempt = i % 2 == 1 ? i : null,
        ReplayOf = i == 2 ? Guid.CreateVersion7() : null,
    };

    [Fact]
    public void A_batch_comes_back_field_for_field()
    {
        var records = Enumerable.Range(0, 3).Select(Record).ToList();

        var unpacked = WebhookCallsRecorded.Of(records).Unpack();

        Assert.Equal(records, unpacked);
        Assert.Empty(WebhookCallsRecorded.Of([]).Unpack());
    }

    [Fact]
    public void An_accepted_async_calls_sealed_request_travels_with_its_record_and_others_carry_none()
    {
        var request = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        var records = new[] { Record(0) with { QueuedRequest = request }, Record(1) };

        var unpacked = CallRecordCodec.Unpack(CallRecordCodec.Pack(records));

        Assert.Equal(request, unpacked[0].QueuedRequest);
        Assert.Null(unpacked[1].QueuedRequest);
        Assert.Equal(records[0] with { QueuedRequest = null }, unpacked[0] with { QueuedRequest = null });
    }

    [Fact]
    public void A_batch_an_older_gateway_packed_reads_as_calls_with_no_relations()
    {
        var record = Record(0);

        var unpacked = Assert.Single(CallRecordCodec.Unpack(PackVersion2(record)));

        Assert.Equal(record with { Source = CallSource.Call, DuplicateOf = null, ParentId = null, Attempt = null, ReplayOf = null }, unpacked);
    }

    /// <summary>A one-record batch as version 2 wrote it (what a spill or a queue may still hold after an upgrade).</summary>
    private static byte[] PackVersion2(WebhookCallRecord record)
    {
        using var stream = new MemoryStream();
        stream.WriteByte(2);
        using (var writer = new BinaryWriter(new System.IO.Compression.ZLibStream(stream, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)))
        {
            writer.Write7BitEncodedInt(1);
            writer.Write(record.Id.ToByteArray());
            writer.Write(record.CreatedAt.UtcTicks);
            foreach (var text in new[] { record.Webhook, record.Authenticator, record.Endpoint, record.RequestMethod, record.RequestHeaders, record.RequestQuery, record.RequestPayload })
            {
                writer.Write(text);
            }

            writer.Write(record.PayloadIsJson);
            writer.Write(record.AuthenticationStatus);
            writer.Write(record.CodeStatus);
            writer.Write(record.HttpStatus);
            foreach (var text in new[] { record.ResultMessage, record.ErrorMessage, record.ScriptLog, record.IpAddress, record.PeerIp, record.RunAsUser })
            {
                writer.Write(text);
            }

            writer.Write(record.DurationMs);
        }

        return stream.ToArray();
    }

    [Fact]
    public void A_lone_surrogate_arrives_as_the_replacement_character()
    {
        var record = Record(0) with { ResultMessage = "bad \ud800 half" };

        Assert.Equal("bad \ufffd half", CallRecordCodec.Unpack(CallRecordCodec.Pack([record]))[0].ResultMessage);
    }

    [Fact]
    public void A_body_that_is_not_a_batch_is_refused()
    {
        var packed = CallRecordCodec.Pack([Record(0), Record(1)]);
        var otherVersion = (byte[])packed.Clone();
        otherVersion[0] = CallRecordCodec.Version + 1;
        var tooOld = (byte[])packed.Clone();
        tooOld[0] = CallRecordCodec.OldestVersion - 1;
        var corrupted = (byte[])packed.Clone();
        corrupted[packed.Length / 2] ^= 0x5a;

        Assert.Throws<InvalidDataException>(() => CallRecordCodec.Unpack(packed[..(packed.Length / 2)]));
        Assert.Throws<InvalidDataException>(() => CallRecordCodec.Unpack(otherVersion));
        Assert.Throws<InvalidDataException>(() => CallRecordCodec.Unpack(tooOld));
        Assert.Throws<InvalidDataException>(() => CallRecordCodec.Unpack(corrupted));
        Assert.Throws<InvalidDataException>(() => CallRecordCodec.Unpack([]));
        Assert.Throws<InvalidDataException>(() => CallRecordCodec.Unpack("{\"records\": []}"u8.ToArray()));
    }
}
