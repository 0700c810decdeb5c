using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Tower.Scripting;

/// <summary>Thrown into a script whose deadline has passed; the run ends as timed out.</summary>
public sealed class ScriptDeadlineException() : Exception("The script ran past its time limit.");

/// <summary>
/// The cooperative half of a script's time limit. The compiler inserts a call to
/// <see cref="Check"/> at the top of every loop body, catch block, goto and method-like body of
/// a script, so a script that loops, recurses or swallows exceptions stops at its deadline and
/// never exhausts the stack. (A single long framework call cannot be interrupted this way; the
/// worker process that runs the script is killed and replaced for that.)
/// </summary>
public static class ScriptGuard
{
    private static readonly AsyncLocal<long> Deadline = new();

    /// <summary>Sets the deadline of the script run on the current flow.</summary>
    public static void Begin(TimeSpan limit) => Deadline.Value = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);

    /// <summary>The time left to the current run's deadline (ten seconds when no run is on this flow).</summary>
    public static TimeSpan Remaining()
    {
        var deadline = Deadline.Value;
        if (deadline == 0)
        {
            return TimeSpan.FromSeconds(10);
        }

        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
    }

    public static void Check()
    {
        var deadline = Deadline.Value;
        if (deadline != 0 && Stopwatch.GetTimestamp() > deadline)
        {
            throw new ScriptDeadlineException();
        }

        RuntimeHelpers.EnsureSufficientExecutionStack();
    }
}
