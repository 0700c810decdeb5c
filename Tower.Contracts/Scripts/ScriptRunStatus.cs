namespace Tower.Contracts.Scripts;

/// <summary>How one script run ended.</summary>
public enum ScriptRunStatus
{
    /// <summary>The script ran to its end; the result fields hold what it set.</summary>
    Completed,

    /// <summary>The script threw, or its code could not be compiled or was refused.</summary>
    Failed,

    /// <summary>The script ran past its deadline and was stopped.</summary>
    TimedOut,

    /// <summary>The webhook's share of the service's workers stayed in use for the whole wait; the script did not run.</summary>
    ShareInUse,
}
