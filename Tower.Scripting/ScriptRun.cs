namespace Tower.Scripting;

/// <summary>One script run: its deadline and how many of its async bodies are still going.</summary>
internal sealed class ScriptRun(long deadline)
{
    private int _running;

    /// <summary>The <see cref="System.Diagnostics.Stopwatch"/> timestamp past which the script is stopped.</summary>
    public long Deadline { get; } = deadline;

    /// <summary>Whether an async body the script started has not ended (an un-awaited task, say).</summary>
    public bool HasWorkRunning => Volatile.Read(ref _running) > 0;

    public void Enter() => Interlocked.Increment(ref _running);

    public void Exit() => Interlocked.Decrement(ref _running);
}
