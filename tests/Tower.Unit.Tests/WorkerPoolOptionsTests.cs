using System.ComponentModel.DataAnnotations;
using Tower.Scripting.Workers;

namespace Tower.Unit.Tests;

/// <summary>The worker pool's settings are checked at start.</summary>
public sealed class WorkerPoolOptionsTests
{
    [Theory]
    [InlineData(500, true)]
    [InlineData(2000, true)]
    [InlineData(2001, false)]
    [InlineData(30000, false)]
    public void The_kill_grace_stays_below_the_3_s_the_gateway_waits_past_a_scripts_limit(int graceMs, bool valid)
    {
        var options = new WorkerPoolOptions { KillGrace = TimeSpan.FromMilliseconds(graceMs) };

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
    }
}
