using Tower.Scripting;
using Tower.Scripting.Hosting;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddServiceDefaults();
builder.AddScriptHost(ScriptKind.Authenticator);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapScriptHostApi();
app.Run();
