using System.Threading.Channels;
using Tower.Contracts.Calls;

namespace Tower.Gateway.Calls;

/// <summary>
/// How many records one broker message carries: up to <see cref="MaxCount"/>, and records of
/// about <see cref="MaxBytes"/> of text in all (at least one record), so that a burst of large
/// bodies never makes a message the broker refuses (RabbitMQ's limit is 128 MiB) and holds the
/// spill behind it for ever.
/// </summary>
public static class RecordBatches
{
    public const int MaxCount = 500;

    public const long MaxBytes = 16L * 1024 * 1024;

    /// <summary>Takes what is waiting in <paramref name="reader"/>, within the limits.</summary>
    public static List<T> Take<T>(ChannelReader<T> reader, Func<T, WebhookCallRecord> record, int expected)
    {
        var batch = new List<T>(Math.Clamp(expected, 1, MaxCount));
        long bytes = 0;
        while (batch.Count < MaxCount && (batch.Count == 0 || bytes < MaxBytes) && reader.TryPeek(out var next))
        {
            var size = SizeOf(record(next));
            if (batch.Count > 0 && bytes + size > MaxBytes)
            {
                break;
            }

            reader.TryRead(out _);
            batch.Add(next);
            bytes += size;
        }

        return batch;
    }

    /// <summary>The record's text, roughly what it weighs in a batch before compression.</summary>
    public static long SizeOf(WebhookCallRecord record) =>
        (long)record.RequestPayload.Length + record.RequestHeaders.Length + record.RequestQuery.Length + record.ScriptLog.Length
        + record.ResultMessage.Length + record.ErrorMessage.Length + record.Endpoint.Length + 256;
}
