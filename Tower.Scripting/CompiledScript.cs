using System.Runtime.Loader;

namespace Tower.Scripting;

/// <summary>A loaded script, ready to run with a fresh globals object per call.</summary>
public sealed class CompiledScript(string hash, ScriptKind kind, Func<object[], Task<object>> factory, AssemblyLoadContext context)
{
    public string Hash { get; } = hash;
    public ScriptKind Kind { get; } = kind;

    /// <summary>Runs the script body with these globals; the script may replace their result.</summary>
    public Task RunAsync(ScriptGlobals globals) => factory([globals, null!]);

    /// <summary>Lets the runtime collect the script's code once nothing runs it any more.</summary>
    public void Unload() => context.Unload();
}
