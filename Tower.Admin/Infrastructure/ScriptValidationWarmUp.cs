using Tower.Scripting;

namespace Tower.Admin.Infrastructure;

/// <summary>Loads the compiler at start-up, so that the first save of code does not pay its two seconds.</summary>
internal sealed class ScriptValidationWarmUp : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Run(() => ScriptCompiler.Validate(ScriptKind.Webhook, "result.message = \"warm\";"), stoppingToken);
}
