using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Tower.Contracts.Scripts;

namespace Tower.Scripting;

/// <summary>Runs one compiled script for one call and reports how it ended.</summary>
public static class ScriptRunner
{
    public static async Task<ScriptRunResult> RunAsync(CompiledScript script, ScriptInvocation call)
    {
        var started = Stopwatch.GetTimestamp();
        var globals = CreateGlobals(script.Kind, call);
        var limit = TimeSpan.FromMilliseconds(call.TimeoutMs);
        var timedOut = $"The script ran past its limit of {call.TimeoutMs} ms.";
        ScriptRun? run = null;

        // The end is described inside the run's flow: an exception's text may be the script's own
        // code, which must meet the run's deadline and be counted if it starts work. The run starts
        // on the caller's thread (no hand-off to another); its guard context stays inside it.
        async Task<(ScriptRunStatus, string?)> Execute()
        {
            run = ScriptGuard.Begin(limit);
            try
            {
                await script.RunAsync(globals);
                return (ScriptRunStatus.Completed, (string?)null);
            }
            catch (ScriptDeadlineException)
            {
                return (ScriptRunStatus.TimedOut, timedOut);
            }
            catch (InsufficientExecutionStackException)
            {
                return (ScriptRunStatus.Failed, "The script recursed too deeply.");
            }
            catch (Exception exception)
            {
                return (ScriptRunStatus.Failed, DescribeScriptException(exception));
            }
        }

        var task = Execute();
        ScriptOutcome outcome;
        try
        {
            var (status, error) = await task.WaitAsync(limit);
            outcome = Outcome(status, globals, call, started, error);
        }
        catch (TimeoutException)
        {
            outcome = Outcome(ScriptRunStatus.TimedOut, globals, call, started, timedOut);
        }

        return new ScriptRunResult(outcome, LeftWorkBehind: !task.IsCompleted || run is null || run.HasWorkRunning);
    }

    /// <summary>An exception the script threw, whose text may come from the script's own overrides.</summary>
    private static string DescribeScriptException(Exception exception)
    {
        try
        {
            return Describe(exception);
        }
        catch (Exception unreadable) when (unreadable is not OutOfMemoryException)
        {
            return $"{exception.GetType().Name} (its text could not be read: {unreadable.GetType().Name})";
        }
    }

    /// <summary>The exception and its inner ones, for the call log.</summary>
    internal static string Describe(Exception exception)
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
        Error = ScriptOutput.Clean("The code does not compile: " + string.Join("; ", errors), call.Secrets, ScriptOutput.MaxMessageLength),
    };

    private static ScriptGlobals CreateGlobals(ScriptKind kind, ScriptInvocation call)
    {
        var payload = JsonNode.Parse(call.PayloadJson);
        var headers = ReadOnly(call.Headers, StringComparer.OrdinalIgnoreCase);
        var query = ReadOnly(call.Query, StringComparer.Ordinal);
        var variables = ReadOnly(call.Variables, StringComparer.Ordinal);
        var secrets = ReadOnly(call.Secrets, StringComparer.Ordinal);
        var rawData = Encoding.UTF8.GetString(call.Body);
        var log = new ScriptLog(secrets);
        return kind == ScriptKind.Webhook
            ? new WebhookGlobals
            {
                payload = payload, headers = headers, query = query, raw_data = rawData, raw_body = call.Body,
                variables = variables, secrets = secrets, log = log, user = new ScriptUser(call.RunAsUser, call.RunAsGroup),
            }
            : new AuthenticatorGlobals
            {
                payload = payload, headers = headers, query = query, raw_data = rawData, raw_body = call.Body,
                variables = variables, secrets = secrets, log = log,
            };
    }

    private static IReadOnlyDictionary<string, string> ReadOnly(IReadOnlyDictionary<string, string> source, StringComparer comparer) =>
        new Dictionary<string, string>(source, comparer).AsReadOnly();

    /// <summary>What the script left in its globals, masked and capped; nothing of it is read after a failure but the log.</summary>
    private static ScriptOutcome Outcome(ScriptRunStatus status, ScriptGlobals globals, ScriptInvocation call, long started, string? error)
    {
        var secrets = call.Secrets;
        var outcome = new ScriptOutcome
        {
            Status = status,
            Log = globals.log.Lines,
            Error = ScriptOutput.Clean(error, secrets, ScriptOutput.MaxMessageLength),
            DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        };
        if (status != ScriptRunStatus.Completed)
        {
            return outcome;
        }

        return globals switch
        {
            WebhookGlobals { result: { } result } => CustomResponse.Apply(outcome with
            {
                ExitCode = result.exit_code,
                Message = ScriptOutput.Clean(result.message, secrets, ScriptOutput.MaxMessageLength),
            }, result, secrets),
            WebhookGlobals => outcome,
            AuthenticatorGlobals authenticator => outcome with
            {
                Allowed = authenticator.result?.allowed ?? false,
                HttpCode = authenticator.result?.http_code,
                Message = ScriptOutput.Clean(authenticator.result?.message, secrets, ScriptOutput.MaxMessageLength),
            },
            _ => outcome,
        };
    }
}
