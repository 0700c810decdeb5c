using System.Diagnostics;
using System.Text;
using Tower.Contracts.Scripts;

namespace Tower.Scripting.Workers;

/// <summary>
/// One worker process and what it has loaded; used by one call at a time. Its output is read by a
/// thread of its own with blocking reads, and the call's outcome goes on on that thread (the
/// pool's next call, the answer to the gateway): the worker's answer costs the service one
/// wake-up, where asynchronous reads cost two or three hand-offs between threads.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly Stream _output;
    private Call? _call;
    private volatile bool _ended;
    private readonly LinkedList<string> _loaded = new();
    private readonly Dictionary<string, LinkedListNode<string>> _loadedIndex = new(StringComparer.Ordinal);
    private readonly int _maxLoaded;
    private readonly Lock _writes = new();

    /// <summary>How many of one call's <c>http</c> requests the service carries out at once.</summary>
    private const int MaxRequestsInFlight = 4;

    private WorkerProcess(Process process, int maxLoaded)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
        _output = new BufferedStream(process.StandardOutput.BaseStream, 64 * 1024);
        _maxLoaded = maxLoaded;
        new Thread(ReadOutput) { IsBackground = true, Name = "worker output" }.Start();
    }

    public bool HasExited => _process.HasExited;

    public static WorkerProcess Start(WorkerLayout layout, WorkerPoolOptions options)
    {
        // Nothing of the host's environment (its credentials and connection strings) reaches a worker.
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_GCHeapHardLimit"] = "0x" + ((long)options.WorkerHeapLimitMb * 1024 * 1024).ToString("X"),
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_GCgen0size"] = "0x400000",
            ["DOTNET_TieredPGO"] = "0",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_EnableDiagnostics"] = "0",
            ["HOME"] = layout.Directory,
            ["TMPDIR"] = "/tmp",
        };
        var info = layout.Sandbox.StartInfo(layout.DotnetPath, layout.Arguments, layout.ReadOnlyPaths, layout.Directory, environment);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = false;

        var process = Process.Start(info) ?? throw new InvalidOperationException("The script worker did not start.");
        return new WorkerProcess(process, options.MaxLoadedScriptsPerWorker);
    }

    /// <summary>
    /// Runs one call (encoded as the gateway sent it), carrying out the script's <c>http</c>
    /// requests on the way, and gives back its encoded outcome; throws <see cref="IOException"/>
    /// or <see cref="EndOfStreamException"/> when the worker dies. An outcome that left work
    /// behind comes from a worker that has ended itself.
    /// </summary>
    public async Task<(ReadOnlyMemory<byte> Outcome, bool LeftWorkBehind)> RunAsync(ScriptImage image, ScriptCallHeader header,
        ReadOnlyMemory<byte> encoded, IScriptHttpTransport http, CancellationToken cancellationToken)
    {
        EnsureLoaded(image);
        using var call = new Call(TimeSpan.FromMilliseconds(header.TimeoutMs), http, cancellationToken);
        // Set first, checked second: the output thread, ending, either fails this call or this call sees it ended.
        Volatile.Write(ref _call, call);
        try
        {
            if (_ended)
            {
                throw new EndOfStreamException("The script worker exited.");
            }

            Send(WorkerProtocol.Frame(WorkerProtocol.Run, encoded.Span));
            return await call.Outcome.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.CompareExchange(ref _call, null, call);
        }
    }

    /// <summary>
    /// The output thread: outcomes complete their call right here (its continuation runs on this
    /// thread), the script's <c>http</c> requests are carried out asynchronously; when the worker
    /// exits or sends what the service cannot read, the call under way fails.
    /// </summary>
    private void ReadOutput()
    {
        Exception ended;
        try
        {
            while (WorkerProtocol.Read(_output) is { } frame)
            {
                var call = Volatile.Read(ref _call);
                switch (frame[0])
                {
                    case WorkerProtocol.Outcome when frame.Length > 2:
                        var outcome = frame.AsMemory(2);
                        ScriptCallCodec.StatusOf(outcome.Span);
                        call?.Outcome.TrySetResult((outcome, frame[1] != 0));
                        break;
                    case WorkerProtocol.HttpRequest when call is not null:
                        using (var reader = new BinaryReader(new MemoryStream(frame, 1, frame.Length - 1), Encoding.UTF8))
                        {
                            var (id, request) = WorkerCodec.ReadHttpRequest(reader);
                            _ = AnswerHttpAsync(id, request with { Timeout = request.Timeout < call.Limit ? request.Timeout : call.Limit },
                                call.Http, call.InFlight, call.Cancellation);
                        }

                        break;
                    default:
                        throw new InvalidDataException("The script worker sent an unexpected frame.");
                }
            }

            ended = new EndOfStreamException("The script worker exited.");
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Whatever a worker sends that the service cannot read (it runs untrusted code) ends it.
            ended = exception is IOException or InvalidDataException ? exception : new InvalidDataException(exception.Message, exception);
        }

        _ended = true;
        Volatile.Read(ref _call)?.Outcome.TrySetException(ended);
    }

    /// <summary>Carries out one request for the script (the worker itself has no network) and sends the answer back.</summary>
    private async Task AnswerHttpAsync(int id, ScriptHttpRequest request, IScriptHttpTransport http, SemaphoreSlim inFlight,
        CancellationToken cancellationToken)
    {
        byte[] answer;
        try
        {
            await inFlight.WaitAsync(cancellationToken);
            try
            {
                var response = await http.SendAsync(request, cancellationToken);
                answer = WorkerProtocol.Build(WorkerProtocol.HttpAnswer, writer => WorkerCodec.WriteHttpAnswer(writer, id, response, null));
            }
            finally
            {
                inFlight.Release();
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Whatever the request did wrong (a bad method, a refused address, a timeout), the script gets an answer.
            answer = WorkerProtocol.Build(WorkerProtocol.HttpAnswer, writer => WorkerCodec.WriteHttpAnswer(writer, id, null, ScriptRunner.Describe(exception)));
        }

        try
        {
            Send(answer);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            // The worker has gone (its call ended or it was killed); nobody waits for this answer.
        }
    }

    /// <summary>
    /// Frames reach the worker one at a time (answers to requests may be written while the call
    /// runs), with blocking writes: the worker reads its input whenever it is not running script
    /// code, and a pipe written asynchronously joins the runtime's event loop, whose readiness
    /// events wake a thread after every write.
    /// </summary>
    private void Send(byte[] frame)
    {
        lock (_writes)
        {
            _input.Write(frame);
            _input.Flush();
        }
    }

    private void EnsureLoaded(ScriptImage image)
    {
        if (_loadedIndex.TryGetValue(image.Hash, out var node))
        {
            _loaded.Remove(node);
            _loaded.AddFirst(node);
            return;
        }

        if (_loaded.Count >= _maxLoaded)
        {
            var oldest = _loaded.Last!;
            _loaded.RemoveLast();
            _loadedIndex.Remove(oldest.Value);
            Send(WorkerProtocol.Build(WorkerProtocol.Unload, writer => writer.Write(oldest.Value)));
        }

        Send(WorkerProtocol.Build(WorkerProtocol.Load, writer =>
        {
            writer.Write(image.Hash);
            writer.Write((byte)image.Kind);
            writer.WriteBytes(image.Bytes);
            writer.Write(image.TypeName);
            writer.Write(image.MethodName);
        }));
        _loadedIndex[image.Hash] = _loaded.AddFirst(image.Hash);
    }

    /// <summary>
    /// The call under way. Its outcome's continuation runs on the output thread (no hand-off); a
    /// script may ask for many requests at once, and the service carries out a few at a time, each
    /// bounded by the call's own limit (not by what the worker says), so a call cannot fill the
    /// service's memory.
    /// </summary>
    private sealed class Call(TimeSpan limit, IScriptHttpTransport http, CancellationToken cancellation) : IDisposable
    {
        public TaskCompletionSource<(ReadOnlyMemory<byte> Outcome, bool LeftWorkBehind)> Outcome { get; } = new();
        public TimeSpan Limit { get; } = limit;
        public IScriptHttpTransport Http { get; } = http;
        public SemaphoreSlim InFlight { get; } = new(MaxRequestsInFlight);
        public CancellationToken Cancellation { get; } = cancellation;

        public void Dispose() => InFlight.Dispose();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited in between.
        }

        _process.Dispose();
    }
}
