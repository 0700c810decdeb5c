using System.Text.Json;

// The floor for any HTTP service on this machine: one hop, parse the JSON body, answer.
// Run: dotnet bench/Tower.Bench.Floor/bin/Release/net10.0/Tower.Bench.Floor.dll --urls http://127.0.0.1:5099
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapPost("/", async (HttpRequest request) =>
{
    using var payload = await JsonDocument.ParseAsync(request.Body);
    return Results.Json(new Answer(payload.RootElement.TryGetProperty("id", out var id) ? $"order {id}" : "OK"), AnswerContext.Default.Answer);
});
app.Run();

internal sealed record Answer(string Message);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Answer))]
internal sealed partial class AnswerContext : System.Text.Json.Serialization.JsonSerializerContext;
