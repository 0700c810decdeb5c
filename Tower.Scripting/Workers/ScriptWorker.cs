using System.Text;
using Tower.Contracts.Scripts;

namespace Tower.Scripting.Workers;

/// <summary>
/// The worker side: a process that loads compiled scripts (no compiler inside) and runs one call
/// at a time for its parent service, with a capped heap, an empty environment and, where the
/// service runs as root, an unprivileged user. Auth and Executor start it as
/// <c>dotnet &lt;service&gt;.dll --tower-script-worker</c>.
/// </summary>
public static class ScriptWorker
{
    public const string Argument = "--tower-script-worker";

    public static bool IsWorker(string[] args) => args is [Argument];

    public static async Task<int> RunAsync()
    {
        await using var input = Console.OpenStandardInput();
        await using var output = Console.OpenStandardOutput();
        var scripts = new Dictionary<string, CompiledScript>(StringComparer.Ordinal);
        while (await WorkerProtocol.ReadAsync(input, CancellationToken.None) is { } frame)
        {
            using var reader = new BinaryReader(new MemoryStream(frame), Encoding.UTF8);
            switch (reader.ReadByte())
            {
                case WorkerProtocol.Load:
                    var image = new ScriptImage(reader.ReadString(), (ScriptKind)reader.ReadByte(), reader.ReadBytes(), reader.ReadString(), reader.ReadString());
                    scripts[image.Hash] = image.Load();
                    break;
                case WorkerProtocol.Configure:
                    var hosts = new string[reader.ReadInt32()];
                    for (var i = 0; i < hosts.Length; i++)
                    {
                        hosts[i] = reader.ReadString();
                    }

                    ScriptHttp.Configure(new ScriptHttpPolicy(hosts, reader.ReadInt32()));
                    break;
                case WorkerProtocol.Unload:
                    if (scripts.Remove(reader.ReadString(), out var unloaded))
                    {
                        unloaded.Unload();
                    }

                    break;
                case WorkerProtocol.Run:
                    var hash = reader.ReadString();
                    var call = WorkerCodec.ReadInvocation(reader);
                    var run = scripts.TryGetValue(hash, out var script)
                        ? await ScriptRunner.RunAsync(script, call)
                        : new ScriptRunResult(new ScriptOutcome { Status = ScriptRunStatus.Failed, Error = $"The worker has no script {hash}." }, false);
                    await WorkerProtocol.WriteAsync(output, WorkerProtocol.Build(WorkerProtocol.Outcome, writer =>
                    {
                        writer.Write(run.LeftWorkBehind);
                        WorkerCodec.Write(writer, run.Outcome);
                    }), CancellationToken.None);

                    // Work the call left running must not run on into another call: this process ends here.
                    if (run.LeftWorkBehind)
                    {
                        return 0;
                    }

                    break;
                default:
                    return 2;
            }
        }

        return 0;
    }
}
