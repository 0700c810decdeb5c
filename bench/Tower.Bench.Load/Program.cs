using System.Diagnostics;
using System.Globalization;
using System.Net;

// An open-loop load generator: requests start on a fixed schedule whether or not earlier ones
// have answered, and each latency is measured from the moment its request was due, so a slow
// server cannot hide its queueing (coordinated omission). The first seconds at the same rate
// open the connections and compile the generator's code and are not recorded (as wrk2's
// calibration period); every request after them is.
// Run: Tower.Bench.Load <url> <requests per second> <seconds> <body file> [Header: value]...
// A header value's "{n}" becomes the request's number (a delivery id unique to each request).
// Prints one line: rate, answered, errors, warm-up requests answered, p50/p90/p99/max in ms.
var url = new Uri(args[0]);
var rate = double.Parse(args[1], CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));
var body = File.ReadAllBytes(args[3]);
var headers = args.Skip(4).Select(header => header.Split(':', 2)).Select(parts => (Name: parts[0].Trim(), Value: parts[1].Trim())).ToArray();

using var client = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = 256,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    UseCookies = false,
})
{
    Timeout = TimeSpan.FromSeconds(30),
};

var warmUp = (int)(rate * 3);
var total = warmUp + (int)(rate * duration.TotalSeconds);
var latencies = new double[total];
var statuses = new int[total];
var clock = Stopwatch.StartNew();
var running = new List<Task>(total);
for (var i = 0; i < total; i++)
{
    var due = TimeSpan.FromSeconds(i / rate);
    var wait = due - clock.Elapsed;
    if (wait > TimeSpan.FromMilliseconds(1))
    {
        await Task.Delay(wait);
    }

    var index = i;
    running.Add(Task.Run(async () =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body), Version = HttpVersion.Version11 };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value.Replace("{n}", index.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        try
        {
            using var response = await client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            statuses[index] = (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            statuses[index] = -1;
        }
        catch (TaskCanceledException)
        {
            statuses[index] = -2;
        }

        latencies[index] = (clock.Elapsed - due).TotalMilliseconds;
    }));
}

await Task.WhenAll(running);
var answered = latencies.Skip(warmUp).Where((_, i) => statuses[warmUp + i] > 0).Order().ToArray();
double Percentile(double p) => answered.Length == 0 ? double.NaN : answered[Math.Min(answered.Length - 1, (int)Math.Ceiling(p * answered.Length) - 1)];
var errors = statuses.Skip(warmUp).Count(status => status is < 200 or >= 300);
var warmUpAnswered = statuses.Take(warmUp).Count(status => status > 0);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"rate {rate:F0}/s  answered {answered.Length}  errors {errors}  warm-up answered {warmUpAnswered}  p50 {Percentile(0.50):F2} ms  p90 {Percentile(0.90):F2} ms  p99 {Percentile(0.99):F2} ms  max {(answered.Length == 0 ? double.NaN : answered[^1]):F2} ms"));
