using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tower.Scripting;

/// <summary>
/// What the compiler weaves into every script (<see cref="GuardRewriter"/>). <see cref="Check"/>
/// stands at the top of every loop body, catch block, goto and method-like body, so a script
/// that loops, recurses or swallows exceptions stops at its deadline and never exhausts the
/// stack (a single long framework call cannot be interrupted this way; the worker process that
/// runs it is killed and replaced for that). <see cref="Enter"/> and <see cref="Exit"/> bracket
/// every async body of a script, so the run knows whether work it started is still going when
/// the script itself has ended.
/// </summary>
public static class ScriptGuard
{
    private static readonly AsyncLocal<ScriptRun?> Current = new();

    /// <summary>Starts a run on the current flow; everything the script starts from here flows with it.</summary>
    internal static ScriptRun Begin(TimeSpan limit)
    {
        var run = new ScriptRun(Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency));
        Current.Value = run;
        return run;
    }

    /// <summary>The time left to the current run's deadline (ten seconds when no run is on this flow).</summary>
    public static TimeSpan Remaining()
    {
        if (Current.Value is not { } run)
        {
            return TimeSpan.FromSeconds(10);
        }

        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), run.Deadline);
        return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
    }

    /// <summary>
    /// Stops the script at its deadline or before its stack runs out. Script code reached outside
    /// any run (an overridden member the host calls after the call, say) is stopped at once.
    /// </summary>
    public static void Check()
    {
        if (Current.Value is not { } run || Stopwatch.GetTimestamp() > run.Deadline)
        {
            throw new ScriptDeadlineException();
        }

        RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    /// <summary><see cref="Check"/> as a value, for the first field initializer of a script's class.</summary>
    public static bool Checked()
    {
        Check();
        return true;
    }

    /// <summary>An async body of the script starts; outside any run, it may not.</summary>
    public static void Enter() => (Current.Value ?? throw new ScriptDeadlineException()).Enter();

    /// <summary>An async body of the script has ended, however it ended.</summary>
    public static void Exit() => Current.Value?.Exit();
}
