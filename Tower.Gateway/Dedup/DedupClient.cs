using Tower.Contracts;
using Tower.Contracts.Dedup;

namespace Tower.Gateway.Dedup;

/// <summary>
/// The dedup store in the Logging service (spec §10), called only for webhooks with <c>dedup</c>.
/// A claim is safe to send again (the same call claiming twice still holds its key). Any failure
/// throws <see cref="DedupUnavailableException"/>: the call is answered 503.
/// </summary>
public sealed class DedupClient(HttpClient http)
{
    /// <summary>How long a call waits for the store before 503 <c>Deduplication unavailable</c>.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<DedupVerdict> ClaimAsync(DedupClaim claim)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("/internal/dedup/claim", claim, TowerJson.Options);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<DedupVerdict>(TowerJson.Options)
                ?? throw new DedupUnavailableException("The dedup store answered nothing.", null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            throw new DedupUnavailableException(exception.Message, exception);
        }
    }

    /// <summary>Keeps the answer of a call that held a key (2xx), or releases the key.</summary>
    public async Task CompleteAsync(DedupCompletion completion)
    {
        try
        {
            using var response = await http.PostAsJsonAsync("/internal/dedup/complete", completion, TowerJson.Options);
            response.EnsureSuccessStatusCode();
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            throw new DedupUnavailableException(exception.Message, exception);
        }
    }
}
