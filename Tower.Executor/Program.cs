using Tower.Scripting;
using Tower.Scripting.Hosting;

return await ScriptService.RunAsync(args, ScriptKind.Webhook);
