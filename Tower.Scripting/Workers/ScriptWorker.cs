using System.Text;
using Tower.Contracts.Scripts;

namespace Tower.Scripting.Workers;

/// <summary>
/// The worker side: a process that loads compiled scripts (no compiler inside) and runs one call
/// at a time for its parent service, confined by <see cref="WorkerSandbox"/>: no network (the
/// <c>http</c> global asks the service over the pipe), an unprivileged user, a capped heap and
/// an empty environment. Auth and Executor start it as
/// <c>dotnet &lt;service&gt;.dll --tower-script-worker</c>.
/// </summary>
public static class ScriptWorker
{
    public const string Argument = "--tower-script-worker";

    public static bool IsWorker(string[] args) => args is [Argument];

    public static async Task<int> RunAsync()
    {
        // Another worker of the same user (without namespaces, they share one) must not read this one's calls.
        Microsoft.Extensions.Hosting.NonDumpable.Apply();
        await using var input = Console.OpenStandardInput();
        await using var output = Console.OpenStandardOutput();
        var writes = new SemaphoreSlim(1, 1);
        async Task SendAsync(byte[] frame)
        {
            await writes.WaitAsync();
            try
            {
                await WorkerProtocol.WriteAsync(output, frame, CancellationToken.None);
            }
            finally
            {
                writes.Release();
            }
        }

        var http = new WorkerHttpBridge(SendAsync);
        ScriptHttp.Transport = http;
        var scripts = new Dictionary<string, CompiledScript>(StringComparer.Ordinal);

        // The loop keeps reading while a call runs: the answers to its http requests arrive here.
        while (await WorkerProtocol.ReadAsync(input, CancellationToken.None) is { } frame)
        {
            using var reader = new BinaryReader(new MemoryStream(frame), Encoding.UTF8);
            switch (reader.ReadByte())
            {
                case WorkerProtocol.Load:
                    var image = new ScriptImage(reader.ReadString(), (ScriptKind)reader.ReadByte(), reader.ReadBytes(), reader.ReadString(), reader.ReadString());
                    scripts[image.Hash] = image.Load();
                    break;
                case WorkerProtocol.Unload:
                    if (scripts.Remove(reader.ReadString(), out var unloaded))
                    {
                        unloaded.Unload();
                    }

                    break;
                case WorkerProtocol.Run:
                    var call = ScriptCallCodec.Decode(frame.AsMemory(1));
                    _ = AnswerAsync(scripts.GetValueOrDefault(call.CodeHash), call, SendAsync);
                    break;
                case WorkerProtocol.HttpAnswer:
                    http.Complete(reader);
                    break;
                default:
                    return 2;
            }
        }

        return 0;
    }

    private static async Task AnswerAsync(CompiledScript? script, ScriptInvocation call, Func<byte[], Task> send)
    {
        var run = script is not null
            ? await ScriptRunner.RunAsync(script, call)
            : new ScriptRunResult(new ScriptOutcome { Status = ScriptRunStatus.Failed, Error = $"The worker has no script {call.CodeHash}." }, false);
        await send(WorkerProtocol.Build(WorkerProtocol.Outcome, writer =>
        {
            writer.Write(run.LeftWorkBehind);
            writer.Write(ScriptCallCodec.Encode(run.Outcome));
        }));

        // Work the call left running must not run on into another call: this process ends here.
        if (run.LeftWorkBehind)
        {
            Environment.Exit(0);
        }
    }
}
