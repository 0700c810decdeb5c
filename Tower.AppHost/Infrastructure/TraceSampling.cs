using System.Globalization;

namespace Tower.AppHost.Infrastructure;

/// <summary>
/// <c>Tower:TraceSampling</c>: the share of calls whose traces reach the dashboard, from 0 to 1
/// (default 1, every call). The gateway decides once per call; Auth, Executor and Logging follow
/// its decision, so a kept call's trace is whole. Metrics and logs are not sampled.
/// </summary>
public static class TraceSampling
{
    public static double Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return 1;
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1
            ? ratio
            : throw new InvalidOperationException(
                $"Tower:TraceSampling must be a number from 0 to 1 (the share of calls whose traces are kept, e.g. 0.1), not '{value}'.");
    }
}
