using Tower.Contracts.Scripts;

namespace Tower.Scripting.Hosting;

/// <summary>
/// Runs scripts of one kind for the gateway: the compiled form is looked up by hash, and the
/// text is fetched and compiled only when this instance has not seen the hash yet.
/// </summary>
public sealed class ScriptHost(ScriptKind kind, ScriptCompiler compiler, ScriptSourceClient sources)
{
    public ScriptKind Kind { get; } = kind;

    public async Task<ScriptOutcome> RunAsync(ScriptInvocation call, CancellationToken cancellationToken)
    {
        var script = compiler.Find(call.CodeHash);
        if (script is null)
        {
            var source = await sources.FetchAsync(call.CodeHash, cancellationToken);
            if (source is null || source.Kind != Kind || ScriptIdentity.Of(source.Kind, source.Code) != call.CodeHash)
            {
                return new ScriptOutcome { Status = ScriptRunStatus.Failed, Error = $"No {Kind} script is stored under hash {call.CodeHash}." };
            }

            var compiled = compiler.Compile(source.Kind, source.Code);
            if (compiled.Script is null)
            {
                return ScriptRunner.CompileFailure(call, compiled.Errors);
            }

            script = compiled.Script;
        }

        return await ScriptRunner.RunAsync(script, call);
    }
}
