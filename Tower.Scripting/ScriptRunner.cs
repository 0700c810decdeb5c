using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Tower.Contracts.Scripts;

namespace Tower.Scripting;

/// <summary>Runs one compiled script for one call and reports how it ended.</summary>
public static class ScriptRunner
{
    private const string Mask = "*****";

    public static async Task<ScriptOutcome> RunAsync(CompiledScript script, ScriptInvocation call)
    {
        var started = Stopwatch.GetTimestamp();
        var globals = CreateGlobals(script.Kind, call);
        var limit = TimeSpan.FromMilliseconds(call.TimeoutMs);
        var run = Task.Run(() =>
        {
            ScriptGuard.Begin(limit);
            return script.RunAsync(globals);
        });
        try
        {
            await run.WaitAsync(limit);
        }
        catch (Exception exception) when (exception is TimeoutException or ScriptDeadlineException)
        {
            return Outcome(ScriptRunStatus.TimedOut, globals, call, started, $"The script ran past its limit of {call.TimeoutMs} ms.");
        }
        catch (InsufficientExecutionStackException)
        {
            return Outcome(ScriptRunStatus.Failed, globals, call, started, "The script recursed too deeply.");
        }
        catch (Exception exception)
        {
            return Outcome(ScriptRunStatus.Failed, globals, call, started, Describe(exception));
        }

        return Outcome(ScriptRunStatus.Completed, globals, call, started, error: null);
    }

    /// <summary>The exception and its inner ones, for the call log.</summary>
    private static string Describe(Exception exception)
    {
        var text = new StringBuilder();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            text.Append(text.Length == 0 ? "" : " ---> ").Append(current.GetType().Name).Append(": ").Append(current.Message);
        }

        return text.ToString();
    }

    /// <summary>The outcome for code that could not be compiled.</summary>
    public static ScriptOutcome CompileFailure(ScriptInvocation call, IReadOnlyList<ScriptDiagnostic> errors) => new()
    {
        Status = ScriptRunStatus.Failed,
        Error = MaskSecrets("The code does not compile: " + string.Join("; ", errors), call.Secrets),
    };

    private static ScriptGlobals CreateGlobals(ScriptKind kind, ScriptInvocation call)
    {
        var payload = JsonNode.Parse(call.PayloadJson);
        var headers = ReadOnly(call.Headers, StringComparer.OrdinalIgnoreCase);
        var query = ReadOnly(call.Query, StringComparer.Ordinal);
        var variables = ReadOnly(call.Variables, StringComparer.Ordinal);
        var secrets = ReadOnly(call.Secrets, StringComparer.Ordinal);
        var rawData = Encoding.UTF8.GetString(call.Body);
        return kind == ScriptKind.Webhook
            ? new WebhookGlobals
            {
                payload = payload, headers = headers, query = query, raw_data = rawData, raw_body = call.Body,
                variables = variables, secrets = secrets, user = new ScriptUser(call.RunAsUser, call.RunAsGroup),
            }
            : new AuthenticatorGlobals
            {
                payload = payload, headers = headers, query = query, raw_data = rawData, raw_body = call.Body,
                variables = variables, secrets = secrets,
            };
    }

    private static IReadOnlyDictionary<string, string> ReadOnly(IReadOnlyDictionary<string, string> source, StringComparer comparer) =>
        new Dictionary<string, string>(source, comparer).AsReadOnly();

    private static ScriptOutcome Outcome(ScriptRunStatus status, ScriptGlobals globals, ScriptInvocation call, long started, string? error)
    {
        var secrets = call.Secrets;
        var outcome = new ScriptOutcome
        {
            Status = status,
            Log = globals.log.Lines.Select(line => MaskSecrets(line, secrets)).ToList(),
            Error = error is null ? null : MaskSecrets(error, secrets),
            DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        };
        if (status != ScriptRunStatus.Completed)
        {
            return outcome;
        }

        return globals switch
        {
            WebhookGlobals webhook => outcome with
            {
                ExitCode = webhook.result?.exit_code ?? 0,
                Message = MaskSecrets(webhook.result?.message, secrets),
            },
            AuthenticatorGlobals authenticator => outcome with
            {
                Allowed = authenticator.result?.allowed ?? false,
                HttpCode = authenticator.result?.http_code,
                Message = MaskSecrets(authenticator.result?.message, secrets),
            },
            _ => outcome,
        };
    }

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    private static string? MaskSecrets(string? text, IReadOnlyDictionary<string, string> secrets)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var value in secrets.Values)
        {
            if (value.Length > 0)
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
