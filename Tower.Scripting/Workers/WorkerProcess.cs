using System.Diagnostics;
using System.Text;
using Tower.Contracts.Scripts;

namespace Tower.Scripting.Workers;

/// <summary>One worker process and what it has loaded; used by one call at a time.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly LinkedList<string> _loaded = new();
    private readonly Dictionary<string, LinkedListNode<string>> _loadedIndex = new(StringComparer.Ordinal);
    private readonly int _maxLoaded;
    private readonly SemaphoreSlim _writes = new(1, 1);

    /// <summary>How many of one call's <c>http</c> requests the service carries out at once.</summary>
    private const int MaxRequestsInFlight = 4;

    private WorkerProcess(Process process, int maxLoaded)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
        _output = process.StandardOutput.BaseStream;
        _maxLoaded = maxLoaded;
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
        ReadOnlyMemory<byte> call, IScriptHttpTransport http, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(image, cancellationToken);
        await SendAsync(WorkerProtocol.Frame(WorkerProtocol.Run, call.Span), cancellationToken);

        // A script may ask for many requests at once; the service carries out a few at a time, each
        // bounded by the call's own limit (not by what the worker says), so a call cannot fill the service's memory.
        using var inFlight = new SemaphoreSlim(MaxRequestsInFlight);
        var callLimit = TimeSpan.FromMilliseconds(header.TimeoutMs);
        while (true)
        {
            var frame = await WorkerProtocol.ReadAsync(_output, cancellationToken) ?? throw new EndOfStreamException("The script worker exited.");
            switch (frame[0])
            {
                case WorkerProtocol.Outcome when frame.Length > 2:
                    var outcome = frame.AsMemory(2);
                    ScriptCallCodec.StatusOf(outcome.Span);
                    return (outcome, frame[1] != 0);
                case WorkerProtocol.HttpRequest:
                    using (var reader = new BinaryReader(new MemoryStream(frame, 1, frame.Length - 1), Encoding.UTF8))
                    {
                        var (id, request) = WorkerCodec.ReadHttpRequest(reader);
                        _ = AnswerHttpAsync(id, request with { Timeout = request.Timeout < callLimit ? request.Timeout : callLimit }, http, inFlight, cancellationToken);
                    }

                    break;
                default:
                    throw new InvalidDataException("The script worker sent an unexpected frame.");
            }
        }
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
            await SendAsync(answer, CancellationToken.None);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            // The worker has gone (its call ended or it was killed); nobody waits for this answer.
        }
    }

    /// <summary>Frames reach the worker one at a time: answers to requests may be written while the call runs.</summary>
    private async Task SendAsync(byte[] frame, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            await WorkerProtocol.WriteAsync(_input, frame, cancellationToken);
        }
        finally
        {
            _writes.Release();
        }
    }

    private async Task EnsureLoadedAsync(ScriptImage image, CancellationToken cancellationToken)
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
            await SendAsync(WorkerProtocol.Build(WorkerProtocol.Unload, writer => writer.Write(oldest.Value)), cancellationToken);
        }

        await SendAsync(WorkerProtocol.Build(WorkerProtocol.Load, writer =>
        {
            writer.Write(image.Hash);
            writer.Write((byte)image.Kind);
            writer.WriteBytes(image.Bytes);
            writer.Write(image.TypeName);
            writer.Write(image.MethodName);
        }), cancellationToken);
        _loadedIndex[image.Hash] = _loaded.AddFirst(image.Hash);
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
