using System.Text.Json;
using Tower.Contracts;

namespace Tower.Admin.Logs;

/// <summary>Relays requests to the Logging service's internal API and its answers back unchanged.</summary>
public sealed class LoggingClient(HttpClient http)
{
    public async Task RelayAsync(string path, HttpContext context)
    {
        using var response = await http.GetAsync(path, context.RequestAborted);
        await CopyAsync(response, context);
    }

    /// <summary>Sends <paramref name="input"/>, already read strictly, to the Logging service.</summary>
    public async Task RelayPutAsync<T>(string path, T input, HttpContext context)
    {
        // Bytes, so that the client's retry policy can send them again.
        using var body = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(input, TowerJson.Options));
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.PutAsync(path, body, context.RequestAborted);
        await CopyAsync(response, context);
    }

    /// <summary>One call log as Logging shows it, or null when there is no call with that id.</summary>
    public async Task<System.Text.Json.Nodes.JsonObject?> FindCallAsync(string id, CancellationToken ct)
    {
        using var response = await http.GetAsync($"/internal/calls/{Uri.EscapeDataString(id)}", ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as System.Text.Json.Nodes.JsonObject;
    }

    /// <summary>
    /// A page of call logs (<c>items</c>, <c>next_cursor</c>) for a query string of the list's
    /// filters; otherwise the status and body Logging answered (a 400 names the filter at fault).
    /// </summary>
    public async Task<(System.Text.Json.Nodes.JsonObject? Page, int Status, string Body)> PageAsync(string query, CancellationToken ct)
    {
        using var response = await http.GetAsync($"/internal/calls{query}", ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode
            ? (System.Text.Json.Nodes.JsonNode.Parse(body) as System.Text.Json.Nodes.JsonObject, (int)response.StatusCode, body)
            : (null, (int)response.StatusCode, body);
    }

    /// <summary>
    /// Queues a dead async call once more with its request rebuilt and sealed (spec §14); false
    /// when the call is not a dead async call (Logging answers 409).
    /// </summary>
    public async Task<bool> RequeueAsync(Guid id, Tower.Contracts.Async.AsyncRequeue requeue, CancellationToken ct)
    {
        using var body = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(requeue, TowerJson.Options));
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync($"/internal/async/{id}/requeue", body, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            return false;
        }

        response.EnsureSuccessStatusCode();
        return true;
    }

    private static async Task CopyAsync(HttpResponseMessage response, HttpContext context)
    {
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
