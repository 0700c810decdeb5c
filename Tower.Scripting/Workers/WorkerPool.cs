using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tower.Contracts.Scripts;

namespace Tower.Scripting.Workers;

/// <summary>
/// The worker processes of one Auth or Executor instance. A call takes an idle worker, runs, and
/// gives it back. A worker that runs past the script's limit plus a grace is killed; one that
/// crashes (stack overflow, out of memory, exit) fails only its call; either way a fresh worker
/// takes its place. After a timed-out call, or one whose script left work running, the worker is
/// replaced too: nothing a call started may run on into another call.
/// </summary>
public sealed partial class WorkerPool : IAsyncDisposable
{
    private readonly WorkerPoolOptions _options;
    private readonly ILogger<WorkerPool> _logger;
    private readonly object _layoutLock = new();
    private WorkerLayout? _layout;
    private readonly OutboundHttp _http;
    private readonly WorkerShares _shares;
    private readonly IdleWorkers _idle = new();
    private readonly object _startLock = new();
    private int _started;
    private int _processesStarted;
    private volatile bool _disposed;

    public WorkerPool(IOptions<WorkerPoolOptions> options, ILogger<WorkerPool> logger)
    {
        _options = options.Value;
        _logger = logger;
        _http = new OutboundHttp(new ScriptHttpPolicy(_options.HttpAllowedHosts, _options.HttpMaxResponseBytes));
        _shares = new WorkerShares(_options.Workers);
    }

    /// <summary>The workers' folder and confinement, made on first use; a failure is tried again by the next start.</summary>
    private WorkerLayout Layout
    {
        get
        {
            lock (_layoutLock)
            {
                return _layout ??= CreateLayout();
            }
        }
    }

    private WorkerLayout CreateLayout()
    {
        var layout = WorkerLayout.Create(_options);
        if (layout.Sandbox.Namespaces)
        {
            LogConfined(_logger, layout.Sandbox.Description);
        }
        else
        {
            LogNotConfined(_logger, layout.Sandbox.Description);
        }

        return layout;
    }

    /// <summary>How many worker processes this pool has started, replacements included.</summary>
    public int ProcessesStarted => Volatile.Read(ref _processesStarted);

    /// <summary>Starts every worker now rather than on the first calls.</summary>
    public void Warm()
    {
        lock (_startLock)
        {
            while (_started < _options.Workers)
            {
                _started++;
                Replace();
            }
        }
    }

    /// <summary>
    /// Runs the call (encoded as the gateway sent it) on an idle worker and gives back the encoded
    /// outcome; a call over its webhook's share of the workers waits up to a second for a place,
    /// then ends <see cref="ScriptRunStatus.ShareInUse"/> without running. A caller that gives up
    /// (its client went away) gets its cancellation at once, but the worker finishes the call within
    /// the script's own limit and goes back to the pool: abandoned calls must not cost a process
    /// start each. The call keeps its place in the share until its worker is done with it.
    /// </summary>
    public async Task<ReadOnlyMemory<byte>> RunAsync(ScriptImage image, ScriptCallHeader header, ReadOnlyMemory<byte> call,
        CancellationToken cancellationToken)
    {
        Warm();
        var (taken, place) = await _shares.TakeAsync(header.Share, cancellationToken);
        if (!taken)
        {
            return ShareInUse.Value;
        }

        WorkerProcess worker;
        try
        {
            worker = await _idle.TakeAsync(cancellationToken);
        }
        catch
        {
            place?.Release();
            throw;
        }

        return await RunOnAsync(worker, image, header, call, place).WaitAsync(cancellationToken);
    }

    private static readonly Lazy<byte[]> ShareInUse = new(() => ScriptCallCodec.Encode(new ScriptOutcome
    {
        Status = ScriptRunStatus.ShareInUse,
        Error = "Every worker this webhook may hold was still in use after a second.",
    }));

    /// <summary>Runs a call given as an object (the service itself receives calls encoded).</summary>
    public async Task<ScriptOutcome> RunAsync(ScriptImage image, ScriptInvocation call, CancellationToken cancellationToken)
    {
        var encoded = ScriptCallCodec.Encode(call);
        return ScriptCallCodec.DecodeOutcome(await RunAsync(image, ScriptCallCodec.ReadHeader(encoded), encoded, cancellationToken));
    }

    /// <summary>
    /// Runs the call on its worker; the call's place in its webhook's share is given back with the
    /// worker, or, when the worker is retired, once its replacement serves: a webhook whose calls
    /// keep running to their limit must not take the other workers while its spent ones restart.
    /// </summary>
    private async Task<ReadOnlyMemory<byte>> RunOnAsync(WorkerProcess worker, ScriptImage image, ScriptCallHeader header, ReadOnlyMemory<byte> call,
        WorkerShare? place)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(header.TimeoutMs) + _options.KillGrace);
        (ReadOnlyMemory<byte> Outcome, bool LeftWorkBehind) run;
        try
        {
            run = await worker.RunAsync(image, header, call, _http, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            LogKilled(_logger, header.CallId, header.TimeoutMs);
            Retire(worker, place);
            return ScriptCallCodec.Encode(new ScriptOutcome
            {
                Status = ScriptRunStatus.TimedOut,
                Error = $"The script ran past its limit of {header.TimeoutMs} ms and its worker was stopped.",
            });
        }
        catch (OutOfMemoryException)
        {
            // The service itself ran out: the worker and its share place go back before the error does.
            Retire(worker, place);
            throw;
        }
        catch (Exception exception)
        {
            // A worker that died or sent what the service cannot read (it runs untrusted code) never serves again.
            LogCrashed(_logger, header.CallId, exception.Message);
            Retire(worker, place);
            return ScriptCallCodec.Encode(new ScriptOutcome
            {
                Status = ScriptRunStatus.Failed,
                Error = "The script crashed its worker process (stack overflow, out of memory or exit).",
            });
        }

        if (ScriptCallCodec.StatusOf(run.Outcome.Span) == ScriptRunStatus.TimedOut || run.LeftWorkBehind)
        {
            if (run.LeftWorkBehind)
            {
                LogLeftWorkBehind(_logger, header.CallId);
            }

            Retire(worker, place);
        }
        else
        {
            _idle.Add(worker);
            place?.Release();
        }

        return run.Outcome;
    }

    private void Retire(WorkerProcess worker, WorkerShare? place)
    {
        worker.Dispose();
        Replace(place);
    }

    /// <summary>
    /// Starts a worker in the background and offers it once it has run a warm-up script; then
    /// gives back <paramref name="place"/>, the share place of the call whose worker it replaces.
    /// </summary>
    private void Replace(WorkerShare? place = null) => _ = Task.Run(() => StartWorkerAsync(place));

    private async Task StartWorkerAsync(WorkerShare? place)
    {
        try
        {
            await StartWorkerAsync();
        }
        finally
        {
            place?.Release();
        }
    }

    private async Task StartWorkerAsync()
    {
        while (!_disposed)
        {
            WorkerProcess? worker = null;
            try
            {
                worker = WorkerProcess.Start(Layout, _options);
                Interlocked.Increment(ref _processesStarted);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var warmUp = ScriptCallCodec.Encode(WarmUpCall());
                await worker.RunAsync(WarmUpImage.Value, ScriptCallCodec.ReadHeader(warmUp), warmUp, _http, timeout.Token);
                _idle.Add(worker);
                return;
            }
            catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception
                or IOException or InvalidDataException or UnauthorizedAccessException or OperationCanceledException)
            {
                worker?.Dispose();
                LogStartFailed(_logger, exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>A trivial script each new worker runs before it serves, so that its first real call finds it warm.</summary>
    private static readonly Lazy<ScriptImage> WarmUpImage = new(() =>
        new ScriptCompiler().Compile(ScriptKind.Webhook, "result.message = payload?[\"warm\"]?.ToString();").Image!);

    private static ScriptInvocation WarmUpCall() => new()
    {
        CallId = Guid.Empty,
        CodeHash = WarmUpImage.Value.Hash,
        Owner = "warm-up",
        TimeoutMs = 10000,
        Body = "{\"warm\": 1}"u8.ToArray(),
        PayloadJson = "{\"warm\": 1}",
        Headers = new Dictionary<string, string>(),
        Query = new Dictionary<string, string>(),
        Variables = new Dictionary<string, string>(),
        Secrets = new Dictionary<string, string>(),
    };

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        _idle.Close();

        lock (_layoutLock)
        {
            _layout?.Dispose();
        }

        _http.Dispose();

        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: the script ran past {TimeoutMs} ms; its worker was killed and replaced")]
    private static partial void LogKilled(ILogger logger, Guid callId, int timeoutMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: the script's worker crashed ({Reason}); replaced")]
    private static partial void LogCrashed(ILogger logger, Guid callId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Script workers run {Confinement}")]
    private static partial void LogConfined(ILogger logger, string confinement);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Script workers run {Confinement}: install bubblewrap and allow unprivileged user namespaces, or on a container platform give the pod the settings in docs/scripts.md")]
    private static partial void LogNotConfined(ILogger logger, string confinement);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: the script left work running after it ended; its worker was retired")]
    private static partial void LogLeftWorkBehind(ILogger logger, Guid callId);

    [LoggerMessage(Level = LogLevel.Error, Message = "A script worker could not start or warm up: {Reason}; retrying in 1 s")]
    private static partial void LogStartFailed(ILogger logger, string reason);
}
