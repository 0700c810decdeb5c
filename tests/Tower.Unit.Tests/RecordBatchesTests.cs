using System.Threading.Channels;
using Tower.Contracts.Calls;
using Tower.Gateway.Calls;

namespace Tower.Unit.Tests;

/// <summary>How many waiting call records one broker message takes.</summary>
public sealed class RecordBatchesTests
{
    private static WebhookCallRecord Record(int payloadChars) => new()
    {
        Id = Guid.CreateVersion7(), CreatedAt = DateTimeOffset.UtcNow, Endpoint = "e", RequestMethod = "POST",
        RequestHeaders = "{}", RequestQuery = "{}", RequestPayload = new string('x', payloadChars),
        AuthenticationStatus = CallStatus.Success, CodeStatus = CallStatus.Success, HttpStatus = 200, IpAddress = "::1", PeerIp = "::1", DurationMs = 1,
    };

    private static Channel<WebhookCallRecord> Waiting(IEnumerable<WebhookCallRecord> records)
    {
        var channel = Channel.CreateUnbounded<WebhookCallRecord>(new UnboundedChannelOptions { SingleReader = true });
        foreach (var record in records)
        {
            channel.Writer.TryWrite(record);
        }

        return channel;
    }

    [Fact]
    public void Small_records_fill_a_batch_up_to_its_count()
    {
        var waiting = Waiting(Enumerable.Range(0, RecordBatches.MaxCount + 20).Select(_ => Record(100)));

        Assert.Equal(RecordBatches.MaxCount, RecordBatches.Take(waiting.Reader, record => record, 1000).Count);
        Assert.Equal(20, RecordBatches.Take(waiting.Reader, record => record, 20).Count);
    }

    [Fact]
    public void Large_bodies_split_into_batches_that_stay_under_the_byte_limit()
    {
        var oneMiB = 1024 * 1024;
        var waiting = Waiting(Enumerable.Range(0, 40).Select(_ => Record(oneMiB)));

        var sizes = new List<int>();
        while (waiting.Reader.TryPeek(out _))
        {
            var batch = RecordBatches.Take(waiting.Reader, record => record, 40);
            Assert.True(batch.Sum(RecordBatches.SizeOf) <= RecordBatches.MaxBytes, $"a batch of {batch.Count} MiB-records is over the limit");
            sizes.Add(batch.Count);
        }

        Assert.Equal(40, sizes.Sum());
        Assert.True(sizes.Count >= 3, $"40 MiB of records in {sizes.Count} batches");
    }

    [Fact]
    public void A_record_larger_than_the_limit_still_travels_alone()
    {
        var waiting = Waiting([Record((int)RecordBatches.MaxBytes + 10), Record(10)]);

        Assert.Single(RecordBatches.Take(waiting.Reader, record => record, 2));
        Assert.Single(RecordBatches.Take(waiting.Reader, record => record, 1));
    }
}
