using System.Security.Cryptography;
using System.Text;
using Tower.Contracts.Scripts;
using Tower.Scripting;

namespace Tower.Unit.Tests;

public class ScriptEngineTests
{
    private static readonly ScriptCompiler Compiler = new();

    internal static ScriptInvocation Call(string payload = "{}", string body = "", Dictionary<string, string>? headers = null,
        Dictionary<string, string>? secrets = null, int timeoutMs = 2000) => new()
    {
        CallId = Guid.CreateVersion7(),
        CodeHash = "",
        Owner = "test",
        TimeoutMs = timeoutMs,
        Body = Encoding.UTF8.GetBytes(body),
        PayloadJson = payload,
        Headers = headers ?? [],
        Query = new Dictionary<string, string>(),
        Variables = new Dictionary<string, string>(),
        Secrets = secrets ?? [],
        RunAsUser = "admin",
        RunAsGroup = "root",
    };

    internal static async Task<ScriptOutcome> RunAsync(ScriptKind kind, string code, ScriptInvocation call)
    {
        var compiled = Compiler.Compile(kind, code);
        Assert.Empty(compiled.Errors);
        return (await ScriptRunner.RunAsync(compiled.Image!.Load(), call)).Outcome;
    }

    [Fact]
    public async Task Webhook_code_reads_the_payload_and_sets_the_message()
    {
        var outcome = await RunAsync(ScriptKind.Webhook, "result.message = $\"order {payload?[\"id\"]} by {user.login}\";", Call("{\"id\": 7}"));

        Assert.Equal(ScriptRunStatus.Completed, outcome.Status);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("order 7 by admin", outcome.Message);
    }

    [Fact]
    public async Task Result_may_be_replaced_whole()
    {
        var outcome = await RunAsync(ScriptKind.Webhook, "result = new() { exit_code = 3, message = \"nope\" };", Call());

        Assert.Equal(3, outcome.ExitCode);
        Assert.Equal("nope", outcome.Message);
    }

    [Fact]
    public async Task Authenticator_checks_a_github_signature_with_a_real_hmac()
    {
        const string body = "{\"action\":\"opened\"}";
        const string secret = "gh-secret-value";
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));
        const string code = """
            var expected = "sha256=" + HmacSha256Hex(secrets["gh"]);
            result.allowed = headers.TryGetValue("X-Hub-Signature-256", out var sent) && FixedTimeEquals(sent, expected);
            """;

        var good = await RunAsync(ScriptKind.Authenticator, code,
            Call(body, body, new() { ["x-hub-signature-256"] = signature }, new() { ["gh"] = secret }));
        var bad = await RunAsync(ScriptKind.Authenticator, code,
            Call(body, body, new() { ["X-Hub-Signature-256"] = "sha256=00" }, new() { ["gh"] = secret }));

        Assert.True(good.Allowed);
        Assert.False(bad.Allowed);
    }

    [Fact]
    public async Task Authenticator_checks_a_stripe_signature_with_timestamp_tolerance()
    {
        const string body = "{\"id\":\"evt_1\",\"type\":\"charge.succeeded\"}";
        const string secret = "whsec_test_value";
        string Header(long timestamp) =>
            $"t={timestamp},v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
        const string code = """
            var parts = headers["Stripe-Signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            var timestamp = long.Parse(parts["t"], CultureInfo.InvariantCulture);
            var age = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp;
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secrets["stripe"]), Encoding.UTF8.GetBytes($"{timestamp}.{raw_data}")));
            result.allowed = Math.Abs(age) <= 300 && FixedTimeEquals(parts["v1"], expected);
            """;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var fresh = await RunAsync(ScriptKind.Authenticator, code, Call(body, body, new() { ["Stripe-Signature"] = Header(now) }, new() { ["stripe"] = secret }));
        var stale = await RunAsync(ScriptKind.Authenticator, code, Call(body, body, new() { ["Stripe-Signature"] = Header(now - 3600) }, new() { ["stripe"] = secret }));
        var forged = await RunAsync(ScriptKind.Authenticator, code,
            Call(body.Replace("evt_1", "evt_2"), body.Replace("evt_1", "evt_2"), new() { ["Stripe-Signature"] = Header(now) }, new() { ["stripe"] = secret }));

        Assert.True(fresh.Allowed);
        Assert.False(stale.Allowed);
        Assert.False(forged.Allowed);
    }

    [Fact]
    public void Compile_errors_carry_line_and_column()
    {
        var errors = ScriptCompiler.Validate(ScriptKind.Webhook, "var a = 1;\nresult.message = undefined_name;");

        var error = Assert.Single(errors);
        Assert.Equal(2, error.Line);
        Assert.Equal(18, error.Column);
        Assert.Contains("undefined_name", error.Message);
    }

    [Fact]
    public async Task Secret_values_are_masked_in_message_log_and_error()
    {
        var secrets = new Dictionary<string, string> { ["token"] = "s3cr3t-value" };
        var outcome = await RunAsync(ScriptKind.Webhook,
            "log.info(\"token is \" + secrets[\"token\"]); result.message = secrets[\"token\"]; throw new Exception(secrets[\"token\"]);",
            Call(secrets: secrets));

        Assert.Equal(ScriptRunStatus.Failed, outcome.Status);
        Assert.DoesNotContain("s3cr3t-value", outcome.Error);
        Assert.Contains("*****", outcome.Error);
        Assert.Equal(["INFO: token is *****"], outcome.Log);
    }

    [Fact]
    public async Task A_script_past_its_limit_times_out()
    {
        var outcome = await RunAsync(ScriptKind.Webhook, "await System.Threading.Tasks.Task.Delay(5000);", Call(timeoutMs: 200));

        Assert.Equal(ScriptRunStatus.TimedOut, outcome.Status);
    }

    [Fact]
    public void The_same_text_compiles_once()
    {
        var first = Compiler.Compile(ScriptKind.Webhook, "result.message = \"cached\";");
        var second = Compiler.Compile(ScriptKind.Webhook, "result.message = \"cached\";");

        Assert.Same(first.Image, second.Image);
        Assert.Same(first.Image, Compiler.Find(ScriptIdentity.Of(ScriptKind.Webhook, "result.message = \"cached\";")));
    }

    public static TheoryData<string, ScriptRunStatus> Runaways => new()
    {
        { "while (true) { }", ScriptRunStatus.TimedOut },
        { "for (;;) { }", ScriptRunStatus.TimedOut },
        { "var i = 0; do { i++; } while (i >= 0 || true);", ScriptRunStatus.TimedOut },
        { "while (true) { try { throw new Exception(); } catch { } }", ScriptRunStatus.TimedOut },
        { "while (true) { try { while (true) { } } catch (Exception) { } finally { } }", ScriptRunStatus.TimedOut },
        { "again: goto again;", ScriptRunStatus.TimedOut },
        // Unbounded recursion meets the stack guard; unwinding that deep may outlast the limit.
        { "int Down(int n) => Down(n + 1); result.message = Down(0).ToString();", ScriptRunStatus.Failed },
        { "Func<int, int> f = null!; f = n => f(n + 1); f(0);", ScriptRunStatus.Failed },
        { "foreach (var x in Enumerable.Repeat(1, int.MaxValue)) { }", ScriptRunStatus.TimedOut },
        { "await Task.Delay(60000);", ScriptRunStatus.TimedOut },
    };

    [Theory]
    [MemberData(nameof(Runaways))]
    public async Task Runaway_scripts_are_stopped_in_process_by_the_cooperative_guard(string code, ScriptRunStatus expected)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();

        var outcome = await RunAsync(ScriptKind.Webhook, code, Call(timeoutMs: 300));

        if (expected == ScriptRunStatus.Failed)
        {
            Assert.Contains(outcome.Status, new[] { ScriptRunStatus.Failed, ScriptRunStatus.TimedOut });
        }
        else
        {
            Assert.Equal(expected, outcome.Status);
        }

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
        var after = await RunAsync(ScriptKind.Webhook, "result.message = \"still here\";", Call());
        Assert.Equal("still here", after.Message);
    }

    [Fact]
    public async Task A_secret_that_contains_another_is_masked_whole()
    {
        var secrets = new Dictionary<string, string> { ["short"] = "abc12345", ["long"] = "abc12345-and-more" };

        var outcome = await RunAsync(ScriptKind.Webhook, "result.message = secrets[\"long\"]; log.info(secrets[\"long\"]);", Call(secrets: secrets));

        Assert.Equal("*****", outcome.Message);
        Assert.Equal("INFO: *****", Assert.Single(outcome.Log));
    }
}
