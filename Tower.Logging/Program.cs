using Tower.Logging.Calls;
using Tower.Logging.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLoggingServices();

var app = builder.Build();
await app.MigrateDatabaseAsync(typeof(Program).Assembly);
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapCallsApi();
app.Run();
