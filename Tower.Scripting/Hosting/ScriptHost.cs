using Tower.Contracts.Scripts;
using Tower.Scripting.Workers;

namespace Tower.Scripting.Hosting;

/// <summary>
/// Runs scripts of one kind for the gateway: the compiled form is looked up by hash, and the
/// text is fetched, checked by the sandbox and compiled only when this instance has not seen the
/// hash yet; the run itself happens in a worker process.
/// </summary>
public sealed class ScriptHost(ScriptKind kind, ScriptCompiler compiler, ScriptSourceClient sources, WorkerPool workers)
{
    public ScriptKind Kind { get; } = kind;

    /// <summary>Runs one call, encoded as the gateway sent it, and gives back its encoded outcome.</summary>
    public async Task<ReadOnlyMemory<byte>> RunAsync(ScriptCallHeader header, ReadOnlyMemory<byte> call, CancellationToken cancellationToken)
    {
        var image = compiler.Find(header.CodeHash);
        if (image is null)
        {
            var source = await sources.FetchAsync(header.CodeHash, cancellationToken);
            if (source is null || source.Kind != Kind || ScriptIdentity.Of(source.Kind, source.Code) != header.CodeHash)
            {
                return ScriptCallCodec.Encode(new ScriptOutcome { Status = ScriptRunStatus.Failed, Error = $"No {Kind} script is stored under hash {header.CodeHash}." });
            }

            var compiled = compiler.Compile(source.Kind, source.Code);
            if (compiled.Image is null)
            {
                // The error text is masked with the call's secrets: only this rare path decodes the whole call.
                return ScriptCallCodec.Encode(ScriptRunner.CompileFailure(ScriptCallCodec.Decode(call), compiled.Errors));
            }

            image = compiled.Image;
        }

        return await workers.RunAsync(image, header, call, cancellationToken);
    }
}
