using Tower.AppHost.Infrastructure;

namespace Tower.System.Tests;

/// <summary>The launcher's Tower:TraceSampling setting: a share of calls from 0 to 1, anything else refused at start.</summary>
public sealed class TraceSamplingTests
{
    [Theory]
    [InlineData(null, 1.0)]
    [InlineData("", 1.0)]
    [InlineData("0", 0.0)]
    [InlineData("0.1", 0.1)]
    [InlineData("1", 1.0)]
    [InlineData("1e-3", 0.001)]
    public void A_share_from_0_to_1_is_taken_and_unset_keeps_every_trace(string? value, double expected) =>
        Assert.Equal(expected, TraceSampling.Parse(value));

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    [InlineData("10%")]
    [InlineData("0,1")]
    [InlineData("NaN")]
    public void Anything_else_stops_the_launcher_with_what_is_expected(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TraceSampling.Parse(value));
        Assert.Equal($"Tower:TraceSampling must be a number from 0 to 1 (the share of calls whose traces are kept, e.g. 0.1), not '{value}'.", error.Message);
    }
}
