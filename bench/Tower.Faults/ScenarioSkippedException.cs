namespace Tower.Faults;

/// <summary>A scenario that cannot run on this machine (e.g. mounting is not allowed); the table says why.</summary>
internal sealed class ScenarioSkippedException(string reason) : Exception(reason);
