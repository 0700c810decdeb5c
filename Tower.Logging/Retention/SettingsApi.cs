using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tower.Logging.Retention;

/// <summary>The internal settings API the Admin service relays; Logging stores and enforces the setting.</summary>
internal static class SettingsApi
{
    public static RouteGroupBuilder MapSettingsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal/settings").RequireServiceCredential();
        group.MapGet("/", async (SettingsStore store, CancellationToken cancellationToken) =>
            TypedResults.Ok(new LogSettings(await store.RetentionDaysAsync(cancellationToken))));
        group.MapPut("/", ReplaceAsync);
        return group;
    }

    /// <summary>A PUT replaces the settings: an omitted field takes its default.</summary>
    private static async Task<Results<Ok<LogSettings>, ValidationProblem>> ReplaceAsync(
        HttpRequest request, SettingsStore store, RetentionService retention, CancellationToken cancellationToken)
    {
        const string field = SettingsStore.RetentionDaysKey;
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The body is not valid JSON."] });
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The body must be a JSON object."] });
        }

        var days = SettingsStore.DefaultRetentionDays;
        if (body.TryGetProperty(field, out var value)
            && (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out days) || days < 1 || days > SettingsStore.MaxRetentionDays))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [field] = [$"'{value}' is not a whole number of days from 1 to {SettingsStore.MaxRetentionDays}."],
            });
        }

        await store.SetRetentionDaysAsync(days, cancellationToken);
        retention.RequestRun();
        return TypedResults.Ok(new LogSettings(days));
    }
}
