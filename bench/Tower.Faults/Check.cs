namespace Tower.Faults;

/// <summary>One invariant's verdict in one scenario: passed or not, with the numbers behind it; null when it does not apply.</summary>
internal sealed record Check(bool Passed, string Detail)
{
    public static Check Pass(string detail) => new(true, detail);

    public static Check Fail(string detail) => new(false, detail);

    public override string ToString() => (Passed ? "ok" : "FAIL") + (Detail.Length > 0 ? $" ({Detail})" : "");
}
