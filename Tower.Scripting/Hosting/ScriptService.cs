using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Tower.Scripting.Workers;

namespace Tower.Scripting.Hosting;

/// <summary>
/// The whole program of Auth and Executor: the service itself, or, started with the worker
/// argument, one of its script worker processes (which must not load ASP.NET: the base runtime
/// is all a worker gets).
/// </summary>
public static class ScriptService
{
    public static async Task<int> RunAsync(string[] args, ScriptKind kind)
    {
        if (ScriptWorker.IsWorker(args))
        {
            return ScriptWorker.Run();
        }

        RunWebService(args, kind);
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunWebService(string[] args, ScriptKind kind)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddServiceDefaults();
        builder.AddScriptHost(kind);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.Run();
    }
}
