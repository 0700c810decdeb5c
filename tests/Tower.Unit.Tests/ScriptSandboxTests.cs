using Tower.Scripting;

namespace Tower.Unit.Tests;

public class ScriptSandboxTests
{
    /// <summary>Snippets that escape the sandbox, each with the symbol its refusal must name.</summary>
    public static TheoryData<string, string> Escapes => new()
    {
        { "System.IO.File.Delete(\"/etc/passwd\");", "System.IO.File" },
        { "var text = System.IO.File.ReadAllText(\"/etc/hostname\");", "System.IO.File" },
        { "using System.IO; var d = Directory.GetFiles(\"/\");", "System.IO.Directory" },
        { "var s = new System.IO.FileStream(\"/tmp/x\", System.IO.FileMode.Create);", "System.IO.FileStream" },
        { "System.Diagnostics.Process.Start(\"sh\", \"-c id\");", "System.Diagnostics.Process" },
        { "var v = Environment.GetEnvironmentVariable(\"TOWER__SERVICEKEY\");", "System.Environment" },
        { "using static System.Environment; Exit(42);", "System.Environment" },
        { "var t = typeof(string).Assembly;", "System.Type" },
        { "var t = \"x\".GetType();", "System.Object.GetType" },
        { "var m = typeof(System.IO.File).GetMethod(\"Delete\");", "System.Type" },
        { "Func<int> f = () => 1; var m = f.Method;", "System.Delegate" },
        { "dynamic d = payload; d.Foo();", "dynamic" },
        { "unsafe { int x = 1; int* p = &x; }", "unsafe" },
        { "unsafe void F() { }", "unsafe" },
        { "[System.Runtime.InteropServices.DllImport(\"libc\")] static extern int getpid();", "DllImport" },
        { "static extern int getpid();", "extern" },
        { "#r \"System.Diagnostics.Process\"\nvar x = 1;", "#r" },
        { "#load \"other.csx\"\nvar x = 1;", "#load" },
        { "new System.Threading.Thread(() => { }).Start();", "System.Threading.Thread" },
        { "System.Threading.Tasks.Task.Run(() => { });", "System.Threading.Tasks.Task.Run" },
        { "System.Threading.Tasks.Parallel.For(0, 10, i => { });", "System.Threading.Tasks.Parallel" },
        { "System.Threading.ThreadPool.QueueUserWorkItem(_ => { });", "System.Threading.ThreadPool" },
        { "GC.Collect();", "System.GC" },
        { "var a = AppDomain.CurrentDomain;", "System.AppDomain" },
        { "var p = System.Runtime.InteropServices.Marshal.AllocHGlobal(10);", "System.Runtime.InteropServices.Marshal" },
        { "Console.WriteLine(\"hi\");", "System.Console" },
        { "var o = Activator.CreateInstance(typeof(object));", "System.Activator" },
        { "var asm = System.Reflection.Assembly.Load(\"System.Diagnostics.Process\");", "System.Reflection.Assembly" },
        { "var h = new System.Net.Http.HttpClient();", "System.Net.Http.HttpClient" },
        { "Span<byte> b = stackalloc byte[1000000];", "stackalloc" },
        { "var c = AppContext.BaseDirectory;", "System.AppContext" },
        { "var u = System.Runtime.CompilerServices.Unsafe.SizeOf<int>();", "System.Runtime.CompilerServices.Unsafe" },
        { "var g = global::Tower.Scripting.ScriptGuard.Begin;", "Tower.Scripting.ScriptGuard" },
        { "var e = System.Linq.Expressions.Expression.Constant(1);", "System.Linq.Expressions" },
        { "var site = new Exception().TargetSite;", "System.Reflection.MethodBase" },
        { "var c = System.Security.Cryptography.CryptoConfig.CreateFromName(\"SHA256\");", "System.Security.Cryptography.CryptoConfig" },
        { "class Evil : System.IO.Stream { }", "System.IO.Stream" },
        { "var w = System.Threading.CancellationToken.None.WaitHandle;", "System.Threading.WaitHandle" },
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public void Escapes_are_refused_at_save_naming_the_symbol_and_position(string code, string symbol)
    {
        var refusals = ScriptCompiler.Validate(ScriptKind.Webhook, code);

        Assert.True(
            refusals.Any(refusal => refusal.Message.Contains(symbol, StringComparison.Ordinal) && refusal.Line >= 1 && refusal.Column >= 1),
            $"No refusal names {symbol}: {string.Join(" | ", refusals)}");
    }

    [Theory]
    [MemberData(nameof(Escapes))]
    public void Escapes_are_refused_again_when_compiling_to_run(string code, string symbol)
    {
        var compiled = new ScriptCompiler().Compile(ScriptKind.Webhook, code);

        Assert.Null(compiled.Image);
        Assert.True(compiled.Errors.Any(error => error.Message.Contains(symbol, StringComparison.Ordinal)),
            $"No refusal names {symbol}: {string.Join(" | ", compiled.Errors)}");
    }

    [Fact]
    public void A_refusal_points_at_the_symbol()
    {
        var refusal = Assert.Single(ScriptCompiler.Validate(ScriptKind.Webhook, "var a = 1;\nvar b = System.IO.File.Exists(\"x\");"),
            r => r.Message.Contains("System.IO.File", StringComparison.Ordinal));

        Assert.Equal(2, refusal.Line);
        Assert.Equal(9, refusal.Column);
    }

    /// <summary>What the documentation shows: each must be accepted.</summary>
    public static TheoryData<ScriptKind, string> Realistic => new()
    {
        { ScriptKind.Authenticator, "result.allowed = headers.TryGetValue(\"X-Token\", out var t) && FixedTimeEquals(t, secrets[\"token\"]);" },
        { ScriptKind.Authenticator, """
            var sent = headers.TryGetValue("X-Hub-Signature-256", out var s) ? s : "";
            result.allowed = FixedTimeEquals(sent, "sha256=" + HmacSha256Hex(secrets["github"]));
            if (!result.allowed) { result.http_code = 401; result.message = "Bad signature"; }
            """ },
        { ScriptKind.Authenticator, """
            // Stripe: t=<timestamp>,v1=<hex hmac of "t.body">, five minutes of tolerance.
            var parts = headers["Stripe-Signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            var timestamp = long.Parse(parts["t"], CultureInfo.InvariantCulture);
            var age = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp;
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secrets["stripe"]), Encoding.UTF8.GetBytes($"{timestamp}.{raw_data}")));
            result.allowed = Math.Abs(age) <= 300 && FixedTimeEquals(parts["v1"], expected);
            """ },
        { ScriptKind.Webhook, """
            var kind = (string?)payload?["type"];
            switch (kind)
            {
                case "order.created": result.message = $"created {payload?["id"]}"; break;
                case "order.deleted": result.message = "deleted"; break;
                default: result = new() { exit_code = 1, message = $"unknown type {kind}" }; break;
            }
            log.info($"routed {kind}");
            """ },
        { ScriptKind.Webhook, """
            var name = payload?["name"]?.GetValue<string>() ?? "";
            var total = 0m;
            foreach (var item in payload?["items"]?.AsArray() ?? new JsonArray()) { total += decimal.Parse((string)item!, CultureInfo.InvariantCulture); }
            var lines = new List<string> { name, total.ToString(CultureInfo.InvariantCulture) };
            result.message = string.Join(";", lines.Where(l => l.Length > 0)) + " " + query.GetValueOrDefault("source", "none") + " " + user.login;
            """ },
        { ScriptKind.Webhook, """
            async Task<int> Twice(int x) { await Task.Delay(1); return x * 2; }
            int Fib(int n) => n < 2 ? n : Fib(n - 1) + Fib(n - 2);
            var doc = JsonDocument.Parse(raw_data);
            var sb = new StringBuilder();
            sb.Append(await Twice(Fib(10)));
            result.message = sb.ToString() + Regex.Replace("a-b", "-", "+") + Guid.NewGuid().ToString().Length + doc.RootElement.ValueKind;
            """ },
        { ScriptKind.Webhook, "record Order(int Id, string Name); var o = new Order(1, \"x\"); result.message = o.ToString() + variables.Count + raw_body.Length;" },
    };

    [Theory]
    [MemberData(nameof(Realistic))]
    public void Realistic_scripts_are_accepted(ScriptKind kind, string code)
    {
        var problems = ScriptCompiler.Validate(kind, code);
        Assert.True(problems.Count == 0, string.Join(" | ", problems));
        Assert.NotNull(new ScriptCompiler().Compile(kind, code).Image);
    }
}
