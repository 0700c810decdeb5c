using System.Net.Http.Json;
using Tower.Contracts;
using Tower.Contracts.Scripts;

namespace Tower.Gateway.Webhooks;

/// <summary>The service behind a script hop could not be reached or did not answer in time.</summary>
public sealed class ScriptServiceUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Runs a script in Auth or Executor over a pooled keep-alive connection; never retried.</summary>
public abstract class ScriptClient(HttpClient http)
{
    /// <summary>Extra time the hop may take beyond the script's own limit, so that the script's deadline decides.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(3);

    public async Task<ScriptOutcome> RunAsync(ScriptInvocation call, CancellationToken requestAborted)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        deadline.CancelAfter(TimeSpan.FromMilliseconds(call.TimeoutMs) + Margin);
        try
        {
            using var response = await http.PostAsJsonAsync("/internal/run", call, TowerJson.Options, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new ScriptServiceUnavailableException($"{GetType().Name}: the service answered {(int)response.StatusCode}.");
            }

            return await response.Content.ReadFromJsonAsync<ScriptOutcome>(TowerJson.Options, deadline.Token)
                ?? throw new ScriptServiceUnavailableException($"{GetType().Name}: the service sent an empty answer.");
        }
        catch (HttpRequestException exception)
        {
            throw new ScriptServiceUnavailableException($"{GetType().Name}: {exception.Message}", exception);
        }
        catch (OperationCanceledException exception) when (!requestAborted.IsCancellationRequested)
        {
            throw new ScriptServiceUnavailableException($"{GetType().Name}: no answer within the script's limit plus {Margin.TotalSeconds} s.", exception);
        }
    }
}

public sealed class AuthClient(HttpClient http) : ScriptClient(http);

public sealed class ExecutorClient(HttpClient http) : ScriptClient(http);
