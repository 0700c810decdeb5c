using Scalar.AspNetCore;
using Tower.Admin.Audit;
using Tower.Admin.Authenticators;
using Tower.Admin.Identity;
using Tower.Admin.Infrastructure;
using Tower.Admin.Internal;
using Tower.Admin.Logs;
using Tower.Admin.Users;
using Tower.Admin.Values;
using Tower.Admin.Webhooks;
using Tower.Admin.Yaml;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAdminServices();

var app = builder.Build();
await app.MigrateDatabaseAsync(typeof(Program).Assembly);
await app.EnsureRootUserAsync();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseAuditTrail();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapScalarApiReference("/reference");
app.MapAuthenticatorsApi();
app.MapWebhooksApi();
app.MapValuesApi();
app.MapUsersApi();
app.MapYamlApi();
app.MapWebhookLogsApi();
app.MapSettingsApi();
app.MapAuditApi();
app.MapInternalApi();
app.Run();
