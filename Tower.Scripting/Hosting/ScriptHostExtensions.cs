using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tower.Scripting.Workers;

namespace Tower.Scripting.Hosting;

public static class ScriptHostExtensions
{
    /// <summary>The services a script-running service (Auth or Executor) needs.</summary>
    public static WebApplicationBuilder AddScriptHost(this WebApplicationBuilder builder, ScriptKind kind)
    {
        builder.Services.AddOptions<WorkerPoolOptions>().BindConfiguration(WorkerPoolOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<WorkerPool>();
        builder.Services.AddSingleton<ScriptCompiler>();
        builder.Services.AddInternalClient<ScriptSourceClient>("admin");
        builder.Services.AddSingleton(provider => new ScriptHost(
            kind, provider.GetRequiredService<ScriptCompiler>(), provider.GetRequiredService<ScriptSourceClient>(),
            provider.GetRequiredService<WorkerPool>()));
        builder.Services.AddHostedService<ScriptHostWarmUp>();

        // The gateway's calls arrive at ScriptHop:Url as hop frames, not HTTP; Kestrel serves health only.
        builder.Services.AddSingleton<ScriptHopHandler>();
        builder.Services.AddHostedService<ScriptHopListener>();
        return builder;
    }
}
