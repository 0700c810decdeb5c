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

    /// <summary>
    /// The worker's loop, on the process's main thread: it reads frames with blocking reads and runs
    /// each call right there until the script first waits (most scripts never do), then writes the
    /// outcome at once. A call thus costs the worker one wake-up; an asynchronous stream hands each
    /// read and write to the thread pool, which on this kind of VM cost more than the script.
    /// </summary>
    public static int Run()
    {
        // Another worker of the same user (without namespaces, they share one) must not read this one's calls.
        Microsoft.Extensions.Hosting.NonDumpable.Apply();
        using var input = new BufferedStream(Console.OpenStandardInput(), 64 * 1024);
        using var output = Console.OpenStandardOutput();
        var writes = new Lock();
        Task Send(byte[] frame)
        {
            lock (writes)
            {
                output.Write(frame);
                output.Flush();
            }

            return Task.CompletedTask;
        }

        var http = new WorkerHttpBridge(Send);
        ScriptHttp.Transport = http;
        var scripts = new Dictionary<string, CompiledScript>(StringComparer.Ordinal);

        // The loop keeps reading while a call waits: the answers to its http requests arrive here.
        while (WorkerProtocol.Read(input) is { } frame)
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
                    _ = AnswerAsync(scripts.GetValueOrDefault(call.CodeHash), call, Send);
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
