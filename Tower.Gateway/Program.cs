using Tower.Gateway.Infrastructure;
using Tower.Gateway.Webhooks;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapWebhookEndpoint();
app.MapRunEndpoint();
app.Run();

public partial class Program;
