namespace Tower.Faults;

/// <summary>What one scenario gave: its load, and each invariant's check (absent when it does not apply).</summary>
internal sealed record Outcome(Scenario Scenario, int Requests, IReadOnlyDictionary<string, Check> Checks)
{
    public bool Passed => Checks.Values.All(check => check.Passed);
}
