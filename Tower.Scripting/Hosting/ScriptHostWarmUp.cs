using Microsoft.Extensions.Hosting;
using Tower.Scripting.Workers;

namespace Tower.Scripting.Hosting;

/// <summary>Starts the workers and warms the compiler when the service starts, not on the first call.</summary>
internal sealed class ScriptHostWarmUp(WorkerPool workers, ScriptCompiler compiler) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() =>
    {
        workers.Warm();
        compiler.Compile(ScriptKind.Webhook, "result.message = \"warm\";");
    }, stoppingToken);
}
