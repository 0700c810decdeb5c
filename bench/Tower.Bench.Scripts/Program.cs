using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tower.Contracts.Scripts;
using Tower.Scripting;
using Tower.Scripting.Workers;

// The script engine's numbers (issue: script engine): a cached call through a worker, the
// compile time of new scripts, memory after many distinct scripts, and recovery after a kill.
// Run: dotnet run -c Release --project bench/Tower.Bench.Scripts [-- <distinct scripts, default 1000>]
var distinct = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
var compiler = new ScriptCompiler();
await using var pool = new WorkerPool(Options.Create(new WorkerPoolOptions
{
    Workers = 2,
    WorkerHostAssembly = Path.Combine(AppContext.BaseDirectory, "Tower.Executor.dll"),
}), NullLogger<WorkerPool>.Instance);
pool.Warm();

var body = Encoding.UTF8.GetBytes("{\"id\": 42, \"customer\": {\"name\": \"Ada\", \"tier\": \"gold\"}, \"items\": [1, 2, 3]}");
ScriptInvocation Call(ScriptImage image, int timeoutMs = 2000) => new()
{
    CallId = Guid.CreateVersion7(),
    CodeHash = image.Hash,
    Owner = "bench",
    TimeoutMs = timeoutMs,
    Body = body,
    PayloadJson = Encoding.UTF8.GetString(body),
    Headers = new Dictionary<string, string> { ["X-Token"] = "abc" },
    Query = new Dictionary<string, string>(),
    Variables = new Dictionary<string, string>(),
    Secrets = new Dictionary<string, string> { ["token"] = "abc" },
};

// 1. Compile: the first compile warms Roslyn; then distinct scripts.
var clock = Stopwatch.StartNew();
var standard = compiler.Compile(ScriptKind.Webhook, "result.message = $\"order {payload?[\"id\"]} for {payload?[\"customer\"]?[\"name\"]}\";").Image!;
Console.WriteLine($"first compile (cold compiler): {clock.Elapsed.TotalMilliseconds:F0} ms");
var compileTimes = new List<double>();
for (var i = 0; i < 50; i++)
{
    clock.Restart();
    compiler.Compile(ScriptKind.Webhook, $"var n = {i}; result.message = $\"warm {{n}} {{payload?[\"id\"]}}\";");
    compileTimes.Add(clock.Elapsed.TotalMilliseconds);
}

Console.WriteLine($"compile of a new script (warm compiler, 50 scripts): p50 {Percentile(compileTimes, 50):F1} ms, p90 {Percentile(compileTimes, 90):F1} ms");

// 2. Cached call through a worker: request in, result out (the service side of the hop).
for (var i = 0; i < 2000; i++)
{
    await pool.RunAsync(standard, Call(standard), CancellationToken.None);
}

var callTimes = new List<double>();
for (var i = 0; i < 20000; i++)
{
    clock.Restart();
    await pool.RunAsync(standard, Call(standard), CancellationToken.None);
    callTimes.Add(clock.Elapsed.TotalMicroseconds);
}

Console.WriteLine($"cached call through a worker (20000 calls): p50 {Percentile(callTimes, 50):F0} µs, p90 {Percentile(callTimes, 90):F0} µs, p99 {Percentile(callTimes, 99):F0} µs");

// 3. Recovery after a killed worker.
var endless = compiler.Compile(ScriptKind.Webhook, "while (true) { }").Image!;
var recoveries = new List<double>();
for (var i = 0; i < 5; i++)
{
    await pool.RunAsync(endless, Call(endless, timeoutMs: 200), CancellationToken.None);
    clock.Restart();
    await pool.RunAsync(standard, Call(standard), CancellationToken.None);
    recoveries.Add(clock.Elapsed.TotalMilliseconds);
}

Console.WriteLine($"next call after a runaway was stopped: max {recoveries.Max():F0} ms over 5 runs");

// 4. Memory after many distinct scripts compiled and run.
GC.Collect();
var before = Process.GetCurrentProcess().WorkingSet64;
for (var i = 0; i < distinct; i++)
{
    var image = compiler.Compile(ScriptKind.Webhook, $"var k = {i}; result.message = (k + (int)payload![\"id\"]!).ToString();").Image!;
    await pool.RunAsync(image, Call(image), CancellationToken.None);
}

GC.Collect();
var after = Process.GetCurrentProcess().WorkingSet64;
Console.WriteLine($"{distinct} distinct scripts compiled and run: service working set {before / 1048576} MB -> {after / 1048576} MB (+{(after - before) / 1048576} MB)");
Console.WriteLine($"workers: {string.Join(", ", Process.GetProcesses().Where(p => SafeCommand(p).Contains(ScriptWorker.Argument)).Select(p => $"{p.WorkingSet64 / 1048576} MB"))}");

static double Percentile(List<double> values, int percentile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, sorted.Count * percentile / 100)];
}

static string SafeCommand(Process process)
{
    try
    {
        return File.ReadAllText($"/proc/{process.Id}/cmdline");
    }
    catch (IOException)
    {
        return "";
    }
    catch (UnauthorizedAccessException)
    {
        return "";
    }
}
