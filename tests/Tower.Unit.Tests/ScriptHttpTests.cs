using System.Net;
using System.Net.Sockets;
using System.Text;
using Tower.Contracts.Scripts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tower.Scripting;
using Tower.Scripting.Workers;

namespace Tower.Unit.Tests;

/// <summary>A local HTTP server for the <c>http</c> global to call (or to be refused).</summary>
public sealed class LocalWebServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();

    public LocalWebServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://localhost:{Port}/");
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var response = context.Response;
            switch (context.Request.Url!.AbsolutePath)
            {
                case "/hello":
                    await WriteAsync(response, 200, "{\"greeting\": \"hello\"}");
                    break;
                case "/to-ip":
                    response.StatusCode = 302;
                    response.RedirectLocation = $"http://127.0.0.1:{Port}/hello";
                    response.Close();
                    break;
                case "/big":
                    await WriteAsync(response, 200, new string('x', 2 * 1024 * 1024));
                    break;
                default:
                    await WriteAsync(response, 404, "no");
                    break;
            }
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
    }
}

public sealed class ScriptHttpTests(LocalWebServer server) : IClassFixture<LocalWebServer>
{
    private static readonly ScriptCompiler Compiler = new();

    private static ScriptInvocation Call(ScriptImage image) => new()
    {
        CallId = Guid.CreateVersion7(),
        CodeHash = image.Hash,
        Owner = "test",
        TimeoutMs = 5000,
        Body = [],
        PayloadJson = "{}",
        Headers = new Dictionary<string, string>(),
        Query = new Dictionary<string, string>(),
        Variables = new Dictionary<string, string>(),
        Secrets = new Dictionary<string, string>(),
    };

    private static async Task<ScriptOutcome> RunAsync(string code)
    {
        var compiled = Compiler.Compile(ScriptKind.Webhook, code);
        Assert.True(compiled.Image is not null, string.Join(" | ", compiled.Errors));
        return (await ScriptRunner.RunAsync(compiled.Image.Load(), Call(compiled.Image))).Outcome;
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/hello", "may not reach")]
    [InlineData("http://localhost:{port}/hello", "may not reach")]
    [InlineData("http://[::1]:{port}/hello", "may not reach")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "may not reach")]
    [InlineData("http://10.20.30.40/", "may not reach")]
    [InlineData("http://192.168.1.1/", "may not reach")]
    [InlineData("file:///etc/passwd", "not an absolute http or https URL")]
    public async Task Forbidden_targets_are_refused(string url, string reason)
    {
        ScriptHttp.Transport = new OutboundHttp(ScriptHttpPolicy.Default);

        var outcome = await RunAsync($"var r = await http.get(\"{url.Replace("{port}", server.Port.ToString())}\"); result.message = r.body;");

        Assert.Equal(ScriptRunStatus.Failed, outcome.Status);
        Assert.Contains(reason, outcome.Error);
    }

    [Fact]
    public async Task An_allowed_host_is_reached_but_a_redirect_to_a_forbidden_address_is_refused()
    {
        ScriptHttp.Transport = new OutboundHttp(new ScriptHttpPolicy(["localhost"], ScriptHttpPolicy.DefaultMaxResponseBytes));

        var allowed = await RunAsync($"var r = await http.get(\"http://localhost:{server.Port}/hello\"); result.message = r.status + \" \" + r.json()?[\"greeting\"];");
        var redirected = await RunAsync($"var r = await http.get(\"http://localhost:{server.Port}/to-ip\"); result.message = r.body;");

        Assert.Equal("200 hello", allowed.Message);
        Assert.Equal(ScriptRunStatus.Failed, redirected.Status);
        Assert.Contains("127.0.0.1", redirected.Error);
    }

    [Fact]
    public async Task Responses_over_the_cap_are_refused()
    {
        ScriptHttp.Transport = new OutboundHttp(new ScriptHttpPolicy(["localhost"], ScriptHttpPolicy.DefaultMaxResponseBytes));

        var outcome = await RunAsync($"var r = await http.get(\"http://localhost:{server.Port}/big\"); result.message = r.body.Length.ToString();");

        Assert.Equal(ScriptRunStatus.Failed, outcome.Status);
        Assert.Contains("larger than", outcome.Error);
    }

    [Fact]
    public async Task A_worker_without_network_reaches_an_allowed_host_through_its_service()
    {
        await using var pool = new WorkerPool(Options.Create(new WorkerPoolOptions
        {
            Workers = 1,
            HttpAllowedHosts = ["localhost"],
            WorkerHostAssembly = Path.Combine(AppContext.BaseDirectory, "Tower.Executor.dll"),
        }), NullLogger<WorkerPool>.Instance);
        var code = $"var r = await http.get(\"http://localhost:{server.Port}/hello\"); var refused = \"\"; try {{ await http.get(\"http://127.0.0.1:{server.Port}/hello\"); }} catch (Exception e) {{ refused = e.Message; }} var badMethod = \"answered\"; try {{ await http.send(\"\", \"http://localhost:{server.Port}/hello\"); }} catch (Exception) {{ badMethod = \"refused\"; }} result.message = r.status + \" \" + r.json()?[\"greeting\"] + \" \" + badMethod + \" | \" + refused;";
        var compiled = Compiler.Compile(ScriptKind.Webhook, code);
        Assert.True(compiled.Image is not null, string.Join(" | ", compiled.Errors));

        var outcome = await pool.RunAsync(compiled.Image, Call(compiled.Image), CancellationToken.None);

        Assert.True(outcome.Status == ScriptRunStatus.Completed, outcome.Error);
        Assert.StartsWith("200 hello refused | ", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("may not reach", outcome.Message, StringComparison.Ordinal);
    }
}
