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

    public async Task<ScriptOutcome> RunAsync(ScriptInvocation call, CancellationToken cancellationToken)
    {
        var image = compiler.Find(call.CodeHash);
        if (image is null)
        {
            var source = await sources.FetchAsync(call.CodeHash, cancellationToken);
            if (source is null || source.Kind != Kind || ScriptIdentity.Of(source.Kind, source.Code) != call.CodeHash)
            {
                return new ScriptOutcome { Status = ScriptRunStatus.Failed, Error = $"No {Kind} script is stored under hash {call.CodeHash}." };
            }

            var compiled = compiler.Compile(source.Kind, source.Code);
            if (compiled.Image is null)
            {
                return ScriptRunner.CompileFailure(call, compiled.Errors);
            }

            image = compiled.Image;
        }

        return await workers.RunAsync(image, call, cancellationToken);
    }
}
