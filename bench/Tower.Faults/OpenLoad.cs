using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Tower.Faults;

/// <summary>
/// Requests on a fixed schedule whether or not earlier ones were answered (open loop), each
/// measured from the moment it was due, each with a unique tag in its query; runs until disposed.
/// </summary>
internal sealed class OpenLoad : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _running = [];
    private readonly Task _schedule;

    public OpenLoad(Uri gateway, string path, double rate, string scenario, TimeSpan callerTimeout)
    {
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, UseCookies = false })
        {
            BaseAddress = gateway,
            Timeout = callerTimeout,
        };
        _schedule = Task.Run(() => ScheduleAsync(path, rate, scenario));
    }

    public ConcurrentBag<Request> Requests { get; } = [];

    private async Task ScheduleAsync(string path, double rate, string scenario)
    {
        var clock = Stopwatch.StartNew();
        var started = DateTime.UtcNow;
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            var due = TimeSpan.FromSeconds(n / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            var tag = $"{scenario}-{n}";
            _running.Add(SendAsync(path, tag, started + due, clock, due));
        }
    }

    private async Task SendAsync(string path, string tag, DateTime dueAt, Stopwatch clock, TimeSpan due)
    {
        int status;
        Guid? callId = null;
        var message = "";
        try
        {
            using var response = await _client.PostAsync($"{path}?tag={tag}", new StringContent("{\"id\": 1}"));
            status = (int)response.StatusCode;
            if (response.Headers.TryGetValues("X-Tower-Call-Id", out var ids) && Guid.TryParse(ids.First(), out var id))
            {
                callId = id;
            }

            var text = await response.Content.ReadAsStringAsync();
            try
            {
                message = (string?)JsonNode.Parse(text)?["message"] ?? "";
            }
            catch (System.Text.Json.JsonException)
            {
                message = text.Length > 80 ? text[..80] : text;
            }
        }
        catch (HttpRequestException)
        {
            status = 0;
        }
        catch (TaskCanceledException)
        {
            status = -1;
        }

        Requests.Add(new Request(tag, dueAt, status, callId, message, (clock.Elapsed - due).TotalMilliseconds));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _schedule;
        await Task.WhenAll(_running);
        _client.Dispose();
        _stop.Dispose();
    }
}
