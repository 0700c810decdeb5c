using Tower.Logging.Async;
using Tower.Logging.Calls;
using Tower.Logging.Dedup;
using Tower.Logging.Infrastructure;
using Tower.Logging.Retention;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLoggingServices();

var app = builder.Build();
await app.MigrateDatabaseAsync(typeof(Program).Assembly);
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapCallsApi();
app.MapDedupApi();
app.MapAsyncApi();
app.MapSettingsApi();
app.Run();
