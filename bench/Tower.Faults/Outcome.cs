namespace Tower.Faults;

/// <summary>What one scenario gave: its load, and each invariant's check (absent when it does not apply).</summary>
internal sealed record Outcome(Scenario Scenario, IReadOnlyList<Request> Requests, IReadOnlyDictionary<string, Check> Checks)
{
    /// <summary>How many calls, and how they ended: "1000 calls: 200 ×990, 503 ×10" (0 = transport error, -1 = the caller gave up).</summary>
    public string Load => $"{Scenario.Rate}/s, {Requests.Count} calls: " + string.Join(", ",
        Requests.GroupBy(request => request.Status).OrderBy(group => group.Key).Select(group => $"{group.Key} ×{group.Count()}"));

    public bool Passed => Checks.Values.All(check => check.Passed);
}
