using Tower.Scripting;
using Tower.Scripting.Hosting;
using Tower.Scripting.Workers;

// The same assembly runs as this service's script worker processes (see ScriptWorker).
if (ScriptWorker.IsWorker(args))
{
    return await ScriptWorker.RunAsync();
}

RunService(args);
return 0;

static void RunService(string[] args)
{
    var builder = WebApplication.CreateSlimBuilder(args);
    builder.AddServiceDefaults();
    builder.AddScriptHost(ScriptKind.Authenticator);

    var app = builder.Build();
    app.MapDefaultEndpoints();
    app.MapScriptHostApi();
    app.Run();
}
