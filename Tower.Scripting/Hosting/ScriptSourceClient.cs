using System.Net;
using System.Net.Http.Json;
using Tower.Contracts;

namespace Tower.Scripting.Hosting;

/// <summary>Fetches a script's text from the Admin service by its hash, on a cache miss only.</summary>
public sealed class ScriptSourceClient(HttpClient http)
{
    public async Task<ScriptSource?> FetchAsync(string hash, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/internal/scripts/{Uri.EscapeDataString(hash)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<ScriptSource>(TowerJson.Options, cancellationToken);
    }
}
