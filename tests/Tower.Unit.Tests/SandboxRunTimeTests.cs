using Tower.Contracts.Scripts;
using Tower.Scripting;

namespace Tower.Unit.Tests;

/// <summary>
/// What the sandbox must keep working, run down to a real worker process, and what it contains
/// at run time: work a call leaves running, and output beyond the caps (spec §5, §14).
/// </summary>
public sealed class SandboxRunTimeTests(WorkerPoolFixture workers) : IClassFixture<WorkerPoolFixture>
{
    /// <summary>Constructs real webhooks use, each with the message it must produce in a worker.</summary>
    public static TheoryData<string, string> Controls => new()
    {
        { "result.message = FixedTimeEquals(HmacSha256Hex(secrets[\"s\"]), Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secrets[\"s\"]), raw_body.Span))).ToString();", "True" },
        { "var h = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA512, Encoding.UTF8.GetBytes(\"k\")); h.AppendData(raw_body.Span); result.message = Convert.ToBase64String(h.GetHashAndReset()).Length.ToString();", "88" },
        { "var ids = new[] { 3, 1, 2 }.Select(i => new { Id = i, Even = i % 2 == 0 }).GroupBy(x => x.Even).OrderBy(g => g.Key).Select(g => g.Count()); result.message = string.Join(\",\", ids) + \":\" + payload?[\"id\"];", "2,1:5" },
        { "var m = Regex.Match(\"order-42\", @\"order-(\\d+)\", RegexOptions.None, TimeSpan.FromSeconds(1)); result.message = m.Groups[1].Value;", "42" },
        { "record Order(int id); var o = JsonSerializer.Deserialize<Order>(raw_data); result.message = (o! with { id = o.id + 1 }).id.ToString();", "6" },
        { "await Task.Delay(1).ConfigureAwait(false); await Task.Yield(); result.message = \"awaited\";", "awaited" },
        { "T Sum<T>(IEnumerable<T> xs) where T : System.Numerics.INumber<T> { var s = T.Zero; foreach (var x in xs) s += x; return s; } result.message = Sum(new[] { 1.5m, 2.5m }).ToString(CultureInfo.InvariantCulture);", "4.0" },
        { "async Task<int> Twice(int x) { await Task.Yield(); return 2 * x; } var all = await Task.WhenAll(Enumerable.Range(1, 3).Select(Twice)); result.message = all.Sum().ToString();", "12" },
        { "int Fail() => throw new InvalidOperationException(\"no\"); try { Fail(); } catch (InvalidOperationException e) { result.message = e.Message; }", "no" },
        { "class Box { public int Value => throw new FormatException(\"bad\"); } try { _ = new Box().Value; } catch (FormatException e) { result.message = e.Message; }", "bad" },
        { "var j = new JsonObject { [\"a\"] = 1, [\"b\"] = new JsonArray(1, 2) }; result.message = j.ToJsonString();", "{\"a\":1,\"b\":[1,2]}" },
        { "var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true }; var d = JsonSerializer.Deserialize<Dictionary<string, int>>(raw_data, options); result.message = d![\"id\"].ToString();", "5" },
        { "var big = System.Numerics.BigInteger.Pow(2, 100); result.message = (big % 97).ToString();", "16" },
        { "var t = DateTimeOffset.FromUnixTimeSeconds(0).ToString(\"yyyy\", CultureInfo.InvariantCulture); result.message = t + decimal.Parse(\"1.5\", CultureInfo.InvariantCulture);", "19701.5" },
        { "const int Limit = 3; var sb = new StringBuilder(); for (var i = 0; i < Limit; i++) sb.Append(i); result.message = sb.ToString();", "012" },
        { "var aes = Aes.Create(); aes.Key = new byte[16]; var c = aes.EncryptCbc(new byte[16], new byte[16]); result.message = aes.DecryptCbc(c, new byte[16]).Length.ToString();", "16" },
        { "var key = Rfc2898DeriveBytes.Pbkdf2(\"pw\", new byte[16], 1000, HashAlgorithmName.SHA256, 32); result.message = key.Length.ToString();", "32" },
        { "var parts = \"a=1;b=2\".Split(';').Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1])); result.message = (parts switch { { Count: 2 } => \"two\", _ => \"other\" });", "two" },
        { "static int Square(int x) => x * x; result.message = Square(7).ToString();", "49" },
    };

    [Theory]
    [MemberData(nameof(Controls))]
    public async Task Allowed_constructs_save_and_run_in_a_worker(string code, string message)
    {
        Assert.Empty(ScriptCompiler.Validate(ScriptKind.Webhook, code));

        var outcome = await workers.RunAsync(code, timeoutMs: 10_000);

        Assert.True(outcome.Status == ScriptRunStatus.Completed, outcome.Error);
        Assert.Equal(message, outcome.Message);
    }

    [Fact]
    public async Task A_worker_whose_call_left_work_running_is_replaced_before_the_next_call()
    {
        var startedBefore = await workers.StartedWhenSettledAsync();

        var outcome = await workers.RunAsync("""
            async Task Later() { await Task.Delay(300); log.info("still running"); }
            _ = Later();
            result.message = "answered";
            """);

        Assert.Equal(ScriptRunStatus.Completed, outcome.Status);
        Assert.Equal("answered", outcome.Message);
        await workers.WaitForReplacementAsync(startedBefore);
        Assert.Equal(startedBefore + 1, workers.Pool.ProcessesStarted);
    }


    [Fact]
    public async Task A_worker_whose_calls_awaited_everything_serves_the_next_call()
    {
        var startedBefore = await workers.StartedWhenSettledAsync();

        var outcome = await workers.RunAsync("async Task Now() { await Task.Delay(5); } await Now(); result.message = \"done\";");

        Assert.Equal("done", outcome.Message);
        Assert.Equal(startedBefore, workers.Pool.ProcessesStarted);
    }

    [Fact]
    public async Task The_message_and_the_error_text_are_capped_at_4000_characters()
    {
        var message = await workers.RunAsync("result.message = new string('m', 8_000_000);");
        var error = await workers.RunAsync("throw new InvalidOperationException(new string('e', 100_000));");

        Assert.Equal(4000, message.Message!.Length);
        Assert.EndsWith("…", message.Message);
        Assert.Equal(ScriptRunStatus.Failed, error.Status);
        Assert.True(error.Error!.Length <= 4000, $"{error.Error.Length} characters");
        Assert.EndsWith("…", error.Error);
    }

    [Fact]
    public async Task A_secret_cut_by_the_log_line_cap_is_masked_not_shown_in_part()
    {
        // secret-value-1 straddles character 1,000 of the line: masking comes before the cut.
        var outcome = await workers.RunAsync("log.info(new string('x', 995) + secrets[\"s\"] + \"tail\");");

        var line = Assert.Single(outcome.Log);
        Assert.DoesNotContain("secret", line, StringComparison.Ordinal);
        Assert.StartsWith("INFO: " + new string('x', 995) + "****", line, StringComparison.Ordinal);
        Assert.True(line.Length <= "INFO: ".Length + 1000, $"{line.Length} characters");
    }

    [Fact]
    public async Task Lines_past_the_hundredth_are_dropped_and_the_call_goes_on()
    {
        var outcome = await workers.RunAsync("for (var i = 0; i < 150; i++) log.info($\"line {i}\"); result.message = \"ok\";");

        Assert.Equal("ok", outcome.Message);
        Assert.Equal(100, outcome.Log.Count);
        Assert.Equal("INFO: line 99", outcome.Log[^1]);
    }
}
