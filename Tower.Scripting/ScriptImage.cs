using System.Reflection;
using System.Runtime.Loader;

namespace Tower.Scripting;

/// <summary>
/// A compiled script as bytes: what the service that compiles it caches and hands to the worker
/// processes that run it. Loading it needs no compiler.
/// </summary>
public sealed record ScriptImage(string Hash, ScriptKind Kind, byte[] Bytes, string TypeName, string MethodName)
{
    /// <summary>Loads the script into a collectible context of its own, so that it can be unloaded.</summary>
    public CompiledScript Load()
    {
        var context = new AssemblyLoadContext("TowerScript_" + Hash[..16], isCollectible: true);
        using var stream = new MemoryStream(Bytes, writable: false);
        var assembly = context.LoadFromStream(stream);
        var type = assembly.GetType(TypeName, throwOnError: true)!;
        var method = type.GetMethod(MethodName, BindingFlags.Public | BindingFlags.Static)!;
        return new CompiledScript(Hash, Kind, method.CreateDelegate<Func<object[], Task<object>>>(), context);
    }
}
