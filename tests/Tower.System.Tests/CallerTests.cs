using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Tower.System.Tests;

/// <summary>
/// Callers that leave early or send their body too slowly: each call still has exactly one
/// record, and code that started runs to its end (spec §3, the outcomes after the table).
/// </summary>
[Collection(TowerSystemCollection.Name)]
public sealed class CallerTests(TowerSystem tower)
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private async Task<(string Reference, string Path)> WebhookAsync(string name, string? code = null)
    {
        var reference = $"caller_{name}_{_id}";
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/authenticators", new { reference, name = reference })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tower.Admin.PostAsJsonAsync("/api/webhooks",
            new { reference, name = reference, authenticator = reference, endpoint = $"caller/{_id}/{name}", code })).StatusCode);
        var path = $"/cetmix_tower_webhooks/caller/{_id}/{name}";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await tower.Gateway.PostAsync(path, new StringContent("{}"))).StatusCode == HttpStatusCode.NotFound)
        {
            Assert.True(DateTime.UtcNow < deadline, "The webhook never became callable.");
            await Task.Delay(50);
        }

        return (reference, path);
    }

    /// <summary>The webhook's records with status <paramref name="status"/> (the probes that waited for the webhook got 200), once there is one.</summary>
    private async Task<List<JsonObject>> RecordsAsync(string reference, int status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var page = JsonNode.Parse(await tower.Admin.GetStringAsync($"/api/webhook-logs?webhook={reference}&http_status={status}&limit=50"))!;
            var records = page["items"]!.AsArray().Select(item => item!.AsObject()).ToList();
            if (records.Count > 0)
            {
                return records;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no record of {reference} with status {status} after 20 s");
            await Task.Delay(200);
        }
    }

    private async Task<JsonObject> FullRecordAsync(JsonObject listed) =>
        (await tower.Admin.GetFromJsonAsync<JsonObject>($"/api/webhook-logs/{(string)listed["id"]!}"))!;

    /// <summary>A raw connection to the gateway, for requests HttpClient will not send.</summary>
    private async Task<NetworkStream> ConnectAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync(tower.Gateway.BaseAddress!.Host, tower.Gateway.BaseAddress.Port);
        return client.GetStream();
    }

    private static byte[] Head(string path, int contentLength) =>
        Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n\r\n");

    [Fact]
    public async Task A_caller_that_leaves_during_the_webhook_code_gets_a_499_record_and_the_code_runs_to_its_end()
    {
        var (reference, path) = await WebhookAsync("leaves", """
            var until = DateTime.UtcNow.AddMilliseconds(1500);
            while (DateTime.UtcNow < until) { }
            log.info("ran to the end");
            result.message = "done";
            """);

        using (var impatient = new HttpClient { BaseAddress = tower.Gateway.BaseAddress, Timeout = TimeSpan.FromMilliseconds(300) })
        {
            await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.PostAsync(path, new StringContent("{}")));
        }

        var record = await FullRecordAsync(Assert.Single(await RecordsAsync(reference, 499)));
        Assert.Equal(499, (int)record["http_status"]!);
        Assert.Equal("Caller disconnected", (string)record["error_message"]!);
        Assert.Equal("success", (string)record["authentication_status"]!);
        Assert.Equal("success", (string)record["code_status"]!);
        Assert.Equal("done", (string)record["result_message"]!);
        Assert.Contains("ran to the end", (string)record["script_log"]!);
    }

    [Fact]
    public async Task A_caller_that_leaves_while_sending_its_body_gets_a_499_record()
    {
        var (reference, path) = await WebhookAsync("leaves_early");

        await using (var stream = await ConnectAsync())
        {
            await stream.WriteAsync(Head(path, 1000));
            await stream.WriteAsync("{\"partial\": "u8.ToArray());
            await Task.Delay(200);
        }

        var record = Assert.Single(await RecordsAsync(reference, 499));
        Assert.Equal(499, (int)record["http_status"]!);
        Assert.Equal("failed", (string)record["authentication_status"]!);
        Assert.Equal("skipped", (string)record["code_status"]!);
        Assert.Equal("Caller disconnected", (string)(await FullRecordAsync(record))["error_message"]!);
    }

    [Fact]
    public async Task A_body_slower_than_the_minimum_data_rate_gets_408_and_a_record()
    {
        var (reference, path) = await WebhookAsync("slow_body", "result.message = \"should not run\";");

        await using var stream = await ConnectAsync();
        await stream.WriteAsync(Head(path, 1000));
        var reading = ReadResponseAsync(stream);
        // One byte a second: far below Kestrel's minimum of 240 bytes/s once its 5 s grace is over.
        for (var sent = 0; sent < 30 && !reading.IsCompleted; sent++)
        {
            try
            {
                await stream.WriteAsync("{"u8.ToArray());
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(reading, Task.Delay(1000));
        }

        var response = await reading.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.StartsWith("HTTP/1.1 408 ", response, StringComparison.Ordinal);
        Assert.Contains("X-Tower-Call-Id: ", response, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("{\"message\":\"Request body timeout\"}", response, StringComparison.Ordinal);

        var record = Assert.Single(await RecordsAsync(reference, 408));
        Assert.Equal(408, (int)record["http_status"]!);
        Assert.Equal("Request body timeout", (string)record["result_message"]!);
        Assert.Equal("failed", (string)record["authentication_status"]!);
        Assert.Equal("skipped", (string)record["code_status"]!);
    }

    /// <summary>Everything the server sends until it closes the connection or stops for a second after a complete body.</summary>
    private static async Task<string> ReadResponseAsync(NetworkStream stream)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer);
            }
            catch (IOException)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            if (received.ToString().EndsWith('}'))
            {
                break;
            }
        }

        return received.ToString();
    }
}
