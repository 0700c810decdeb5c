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
        var info = new ProcessStartInfo(layout.DotnetPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
            WorkingDirectory = layout.Directory,
        };
        foreach (var argument in layout.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Nothing of the host's environment (its credentials and connection strings) reaches a worker.
        info.Environment.Clear();
        info.Environment["DOTNET_GCHeapHardLimit"] = "0x" + ((long)options.WorkerHeapLimitMb * 1024 * 1024).ToString("X");
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["DOTNET_GCgen0size"] = "0x400000";
        info.Environment["DOTNET_TieredPGO"] = "0";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["HOME"] = layout.Directory;
        if (Environment.UserName == "root")
        {
            info.UserName = options.WorkerUser;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("The script worker did not start.");
        return new WorkerProcess(process, options.MaxLoadedScriptsPerWorker);
    }

    /// <summary>Sends the settings the worker needs before its first call (the <c>http</c> policy).</summary>
    public Task ConfigureAsync(WorkerPoolOptions options, CancellationToken cancellationToken) =>
        WorkerProtocol.WriteAsync(_input, WorkerProtocol.Build(WorkerProtocol.Configure, writer =>
        {
            writer.Write(options.HttpAllowedHosts.Count);
            foreach (var host in options.HttpAllowedHosts)
            {
                writer.Write(host);
            }

            writer.Write(options.HttpMaxResponseBytes);
        }), cancellationToken);

    /// <summary>
    /// Runs one call; throws <see cref="IOException"/> or <see cref="EndOfStreamException"/> when
    /// the worker dies. A result that left work behind comes from a worker that has ended itself.
    /// </summary>
    public async Task<ScriptRunResult> RunAsync(ScriptImage image, ScriptInvocation call, CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync(image, cancellationToken);
        await WorkerProtocol.WriteAsync(_input, WorkerProtocol.Build(WorkerProtocol.Run, writer =>
        {
            writer.Write(image.Hash);
            WorkerCodec.Write(writer, call);
        }), cancellationToken);

        var frame = await WorkerProtocol.ReadAsync(_output, cancellationToken) ?? throw new EndOfStreamException("The script worker exited.");
        using var reader = new BinaryReader(new MemoryStream(frame), Encoding.UTF8);
        if (reader.ReadByte() != WorkerProtocol.Outcome)
        {
            throw new InvalidDataException("The script worker sent an unexpected frame.");
        }

        var leftWorkBehind = reader.ReadBoolean();
        return new ScriptRunResult(WorkerCodec.ReadOutcome(reader), leftWorkBehind);
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
            await WorkerProtocol.WriteAsync(_input, WorkerProtocol.Build(WorkerProtocol.Unload, writer => writer.Write(oldest.Value)), cancellationToken);
        }

        await WorkerProtocol.WriteAsync(_input, WorkerProtocol.Build(WorkerProtocol.Load, writer =>
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
