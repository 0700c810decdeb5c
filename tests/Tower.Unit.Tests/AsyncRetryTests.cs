using System.Security.Cryptography;
using System.Text;
using Tower.Contracts.Async;
using Tower.Contracts.Configuration;
using Tower.Contracts.Security;

namespace Tower.Unit.Tests;

/// <summary>The waits between async attempts and the sealing of their requests (spec §14).</summary>
public sealed class AsyncRetryTests
{
    [Fact]
    public void The_wait_after_each_failed_attempt_doubles_from_the_backoff_up_to_an_hour()
    {
        var waits = Enumerable.Range(1, 12).Select(failed => RetryDefinition.WaitAfter(failed, 10).TotalSeconds);

        Assert.Equal([10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600], waits);
        Assert.Equal(TimeSpan.FromHours(1), RetryDefinition.WaitAfter(20, 3600));
    }

    [Fact]
    public void A_sealed_request_opens_with_its_key_only_and_shows_nothing_of_itself()
    {
        var request = new AsyncRequest
        {
            Method = "POST", Endpoint = "shop/orders", Headers = new Dictionary<string, string> { ["X-Token"] = "token-value-123" },
            Query = new Dictionary<string, string>(), Body = Encoding.UTF8.GetBytes("{\"card\": \"4111111111111111\"}"),
            PayloadJson = "{\"card\":\"4111111111111111\"}", ClientIp = "203.0.113.7", PeerIp = "127.0.0.1",
        };
        var box = new SealedBox("the secrets key");

        var sealedBytes = box.Seal(request.ToBytes());
        var opened = AsyncRequest.FromBytes(box.Open(sealedBytes));

        Assert.Equal(request.Body, opened.Body);
        Assert.Equal(("token-value-123", "203.0.113.7"), (opened.Headers["X-Token"], opened.ClientIp));
        Assert.DoesNotContain("4111111111111111", Encoding.Latin1.GetString(sealedBytes), StringComparison.Ordinal);
        Assert.ThrowsAny<CryptographicException>(() => new SealedBox("another key").Open(sealedBytes));
        sealedBytes[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => box.Open(sealedBytes));
        Assert.ThrowsAny<CryptographicException>(() => box.Open(new byte[10]));
    }
}
