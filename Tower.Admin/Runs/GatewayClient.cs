using Tower.Contracts;
using Tower.Contracts.Runs;

namespace Tower.Admin.Runs;

/// <summary>
/// The gateway's internal run endpoint: a test or replay goes through the gateway's own flow.
/// Sent once, never retried (a run has effects: its code runs and it is recorded), and given
/// the longest a run can take (the webhook's time limit and the authenticator's, with margin).
/// </summary>
public sealed class GatewayClient(HttpClient http)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public async Task<RunResult> RunAsync(RunRequest run, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("/internal/run", run, TowerJson.Options, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The gateway refused the run: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        return (await response.Content.ReadFromJsonAsync<RunResult>(TowerJson.Options, ct))!;
    }
}
