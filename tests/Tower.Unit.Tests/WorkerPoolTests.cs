using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tower.Contracts.Scripts;
using Tower.Scripting;
using Tower.Scripting.Workers;

namespace Tower.Unit.Tests;

/// <summary>Real worker processes (the Executor's assembly in worker mode), shared by the tests of this class.</summary>
public sealed class WorkerPoolFixture : IAsyncLifetime
{
    public WorkerPoolFixture()
    {
        Pool = new WorkerPool(Options.Create(new WorkerPoolOptions
        {
            Workers = 2,
            WorkerHeapLimitMb = 128,
            KillGrace = TimeSpan.FromMilliseconds(300),
            WorkerHostAssembly = Path.Combine(AppContext.BaseDirectory, "Tower.Executor.dll"),
        }), NullLogger<WorkerPool>.Instance);
        Pool.Warm();
    }

    public WorkerPool Pool { get; }

    public ScriptCompiler Compiler { get; } = new();

    /// <summary>Compiles and runs the code; with <paramref name="giveUpAfter"/>, the caller stops waiting that long after the run starts.</summary>
    public async Task<ScriptOutcome> RunAsync(string code, int timeoutMs = 2000, TimeSpan? giveUpAfter = null)
    {
        var compiled = Compiler.Compile(ScriptKind.Webhook, code);
        Assert.True(compiled.Image is not null, string.Join(" | ", compiled.Errors));
        using var giveUp = new CancellationTokenSource(giveUpAfter ?? Timeout.InfiniteTimeSpan);
        return await Pool.RunAsync(compiled.Image, new ScriptInvocation
        {
            CallId = Guid.CreateVersion7(),
            CodeHash = compiled.Image.Hash,
            Owner = "test",
            TimeoutMs = timeoutMs,
            Body = Encoding.UTF8.GetBytes("{\"id\": 5}"),
            PayloadJson = "{\"id\": 5}",
            Headers = new Dictionary<string, string>(),
            Query = new Dictionary<string, string>(),
            Variables = new Dictionary<string, string>(),
            Secrets = new Dictionary<string, string> { ["s"] = "secret-value-1" },
        }, giveUp.Token);
    }

    /// <summary>How many worker processes the pool has started once it is full and idle (a replaced worker adds one).</summary>
    public async Task<int> StartedWhenSettledAsync()
    {
        await RunAsync("result.message = \"warm\";");
        await WaitUntilAsync(() => Pool.ProcessesStarted >= 2);
        return Pool.ProcessesStarted;
    }

    /// <summary>Replacement workers start in the background: waits until one more than <paramref name="startedBefore"/> has.</summary>
    public Task WaitForReplacementAsync(int startedBefore) => WaitUntilAsync(() => Pool.ProcessesStarted > startedBefore);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var waited = 0; waited < 600 && !condition(); waited++)
        {
            await Task.Delay(50);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Pool.DisposeAsync();
}

public sealed class WorkerPoolTests(WorkerPoolFixture workers) : IClassFixture<WorkerPoolFixture>
{
    [Fact]
    public async Task A_script_runs_in_a_worker()
    {
        var outcome = await workers.RunAsync("log.info(secrets[\"s\"]); result.message = $\"id {payload?[\"id\"]}\";");

        Assert.Equal(ScriptRunStatus.Completed, outcome.Status);
        Assert.Equal("id 5", outcome.Message);
        Assert.Equal(["INFO: *****"], outcome.Log);
    }

    /// <summary>Either ending is containment: the worker dies and the call fails, or it is killed past the limit.</summary>
    private const ScriptRunStatus Contained = (ScriptRunStatus)(-1);

    public static TheoryData<string, ScriptRunStatus> Hostile => new()
    {
        // Endless work: stopped cooperatively at the deadline.
        { "while (true) { }", ScriptRunStatus.TimedOut },
        { "while (true) { try { throw new Exception(); } catch { } }", ScriptRunStatus.TimedOut },
        { "await Task.Delay(60000);", ScriptRunStatus.TimedOut },
        // Recursion that catches the stack guard's exception overflows the stack: the worker dies (or is
        // killed while the runtime reports the overflow), and only this call fails.
        { "int Down(int n) { try { return Down(n + 1); } catch { return Down(n + 1); } } Down(0);", Contained },
        // Memory: the worker's heap is capped.
        { "var chunks = new List<byte[]>(); while (true) { chunks.Add(new byte[10_000_000]); }", ScriptRunStatus.Failed },
        { "var s = new string('a', 40_000_000); result.message = s.Replace(\"a\", \"bbbb\").Length.ToString();", Contained },
        { "var big = new string('x', 1 << 29);", ScriptRunStatus.Failed },
        // One long framework call that the cooperative guard cannot interrupt: the worker is killed.
        { "var r = System.Text.RegularExpressions.Regex.IsMatch(new string('a', 40) + \"!\", \"^(a+)+$\"); result.message = r.ToString();", ScriptRunStatus.TimedOut },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Hostile_scripts_are_contained_and_the_pool_goes_on_serving(string code, ScriptRunStatus expected)
    {
        var outcome = await workers.RunAsync(code, timeoutMs: 500);

        if (expected == Contained)
        {
            Assert.Contains(outcome.Status, new[] { ScriptRunStatus.Failed, ScriptRunStatus.TimedOut });
        }
        else
        {
            Assert.Equal(expected, outcome.Status);
        }

        var clock = Stopwatch.StartNew();
        var next = await workers.RunAsync("result.message = \"still serving\";");
        Assert.Equal("still serving", next.Message);
        // The 1 s recovery figure is measured in bench/; here only a hang would fail.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the next call took {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task A_caller_that_gives_up_gets_its_answer_at_once_and_the_worker_is_kept()
    {
        await workers.RunAsync("result.message = \"warm\";");
        var started = workers.Pool.ProcessesStarted;
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => workers.RunAsync(
            "var end = DateTime.UtcNow.AddMilliseconds(1500); while (DateTime.UtcNow < end) { }", giveUpAfter: TimeSpan.FromMilliseconds(100)));
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(1200), $"the caller waited {clock.Elapsed.TotalMilliseconds:F0} ms");

        // The abandoned run ends within its limit and its worker serves again: no process was started.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("again", (await workers.RunAsync("result.message = \"again\";")).Message);
        }

        await Task.Delay(1500);
        Assert.Equal(started, workers.Pool.ProcessesStarted);
    }
}
