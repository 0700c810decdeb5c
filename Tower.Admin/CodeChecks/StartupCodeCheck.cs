using System.Diagnostics;
using Dapper;
using Npgsql;
using Tower.Scripting;

namespace Tower.Admin.CodeChecks;

/// <summary>
/// At every start, checks the stored code of every webhook and authenticator against the
/// sandbox's current rules (webhooks.md §5): code saved under older rules may be refused by
/// today's. It runs in the background on a thread of its own, one distinct text after another,
/// so that neither readiness nor requests wait for it. Each record whose code is refused is
/// logged with its first errors, and the result goes to <see cref="CodeCheckRegistry"/> for the
/// lists' <c>?invalid=true</c>. Its first compilation also loads the compiler, so that the first
/// save of code does not pay for that.
/// </summary>
public sealed partial class StartupCodeCheck(NpgsqlDataSource dataSource, CodeCheckRegistry registry, ILogger<StartupCodeCheck> logger)
    : BackgroundService
{
    private const string WarmUpCode = "result.message = \"warm\";";
    private const int ErrorsLogged = 3;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>The texts among <paramref name="scripts"/> that the sandbox refuses, by identity; each distinct text is compiled once.</summary>
    public static Dictionary<string, IReadOnlyList<ScriptDiagnostic>> Refused(IEnumerable<StoredScript> scripts, CancellationToken cancellationToken)
    {
        var refused = new Dictionary<string, IReadOnlyList<ScriptDiagnostic>>();
        var passed = new HashSet<string>();
        foreach (var script in scripts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (passed.Contains(script.Identity) || refused.ContainsKey(script.Identity))
            {
                continue;
            }

            var errors = Validate(script);
            if (errors.Count == 0)
            {
                passed.Add(script.Identity);
            }
            else
            {
                refused[script.Identity] = errors;
            }
        }

        return refused;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await OnOwnThreadAsync(() => ScriptCompiler.Validate(ScriptKind.Webhook, WarmUpCode), stoppingToken);
        var scripts = await ReadAsync(stoppingToken);
        var clock = Stopwatch.StartNew();
        var refused = await OnOwnThreadAsync(() => Refused(scripts, stoppingToken), stoppingToken);
        foreach (var script in scripts)
        {
            if (refused.TryGetValue(script.Identity, out var errors))
            {
                LogRefused(logger, script.Kind == ScriptKind.Webhook ? "webhook" : "authenticator", script.Reference, Summary(errors));
            }
        }

        registry.Complete(refused);
        LogChecked(logger, scripts.Count, scripts.Select(script => script.Identity).Distinct().Count(), clock.ElapsedMilliseconds,
            scripts.Count(script => refused.ContainsKey(script.Identity)));
    }

    /// <summary>Every stored text that is not blank (blank code is never run), read again until the database answers.</summary>
    private async Task<IReadOnlyList<StoredScript>> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                var webhooks = await connection.QueryAsync<(string Reference, string Code)>(new CommandDefinition(
                    "SELECT reference, code FROM webhooks ORDER BY reference", cancellationToken: cancellationToken));
                var authenticators = await connection.QueryAsync<(string Reference, string Code)>(new CommandDefinition(
                    "SELECT reference, code FROM authenticators ORDER BY reference", cancellationToken: cancellationToken));
                return
                [
                    .. webhooks.Where(row => !string.IsNullOrWhiteSpace(row.Code)).Select(row => new StoredScript(ScriptKind.Webhook, row.Reference, row.Code)),
                    .. authenticators.Where(row => !string.IsNullOrWhiteSpace(row.Code)).Select(row => new StoredScript(ScriptKind.Authenticator, row.Reference, row.Code)),
                ];
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Whatever keeps the database from answering (down, starting, refusing), the check waits
                // for it: a failed check must not stop Admin, and the registry must be completed one day.
                LogReadFailed(logger, RetryDelay.TotalSeconds, exception.Message);
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The text's errors under today's rules. A compiler failure on one text is one of its errors
    /// rather than a failed start: Admin stopping at every start would leave no API to fix the record with.
    /// </summary>
    private static IReadOnlyList<ScriptDiagnostic> Validate(StoredScript script)
    {
        try
        {
            return ScriptCompiler.Validate(script.Kind, script.Code);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return [new ScriptDiagnostic(1, 1, $"the code could not be checked: {exception.Message}")];
        }
    }

    private static Task<T> OnOwnThreadAsync<T>(Func<T> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static string Summary(IReadOnlyList<ScriptDiagnostic> errors) =>
        string.Join("; ", errors.Take(ErrorsLogged)) + (errors.Count > ErrorsLogged ? $" (and {errors.Count - ErrorsLogged} more)" : "");

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The code of {Kind} '{Reference}' is refused by the sandbox's current rules; its calls answer as code that does not compile until it is fixed: {Errors}")]
    private static partial void LogRefused(ILogger logger, string kind, string reference, string errors);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Checked the code of {Records} webhooks and authenticators ({Texts} distinct texts) against the sandbox's current rules in {ElapsedMs} ms: {Refused} refused")]
    private static partial void LogChecked(ILogger logger, int records, int texts, long elapsedMs, int refused);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not read the stored code to check it against the sandbox's current rules; trying again in {DelaySeconds} s: {Reason}")]
    private static partial void LogReadFailed(ILogger logger, double delaySeconds, string reason);
}
