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
        otherVersion[0] = 1;
        var corrupted = (byte[])packed.Clone();
        corrupted[packed.Length / 2] ^= 0x5a;

        Assert.Throws<InvalidDataException>(() => CallRecordCodec.Unpack(packed[..(packed.Length / 2)]));
        Assert.Throws<InvalidDataException>(() => CallRecordCodec.Unpack(otherVersion));
        Assert.Throws<InvalidDataException>(() => CallRecordCodec.Unpack(corrupted));
        Assert.Throws<InvalidDataException>(() => CallRecordCodec.Unpack([]));
        Assert.Throws<InvalidDataException>(() => CallRecordCodec.Unpack("{\"records\": []}"u8.ToArray()));
    }
}
