using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Tower.System.Tests;

/// <summary>
/// A second Admin service of its own, on a fresh database of the test PostgreSQL and the test
/// broker: an empty system to import into. Started from the built assembly, as the AppHost does.
/// </summary>
public sealed class EmptyAdmin : IAsyncDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private EmptyAdmin(Process process, HttpClient client)
    {
        _process = process;
        Client = client;
    }

    /// <summary>A client with the new system's root key.</summary>
    public HttpClient Client { get; }

    public static async Task<EmptyAdmin> StartAsync(string adminDatabase, string rabbitMQ)
    {
        var database = new NpgsqlConnectionStringBuilder(adminDatabase) { Database = "tower_admin_" + Guid.NewGuid().ToString("N")[..12] };
        var rootKey = RandomNumberGenerator.GetHexString(48, lowercase: true);
        var port = FreePort();
        var project = new Projects.Tower_Admin().ProjectPath;
        var directory = Path.GetDirectoryName(project)!;
        var start = new ProcessStartInfo("dotnet", Path.Combine(directory, "bin", Configuration, "net10.0", "Tower.Admin.dll"))
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["ConnectionStrings__admindb"] = database.ConnectionString,
                ["ConnectionStrings__rabbitmq"] = rabbitMQ,
                ["services__logging__http__0"] = "http://127.0.0.1:9",
                ["Tower__ServiceKey"] = RandomNumberGenerator.GetHexString(64, lowercase: true),
                ["Admin__RootApiKey"] = rootKey,
                ["Admin__SecretsKey"] = RandomNumberGenerator.GetHexString(64, lowercase: true),
                ["Admin__PublicBaseUrl"] = "http://localhost:5080",
            },
        };
        var process = Process.Start(start)!;
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", rootKey);
        var admin = new EmptyAdmin(process, client);
        process.OutputDataReceived += (_, e) => admin.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => admin.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await admin.WaitHealthyAsync();
        return admin;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitHealthyAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                if ((await Client.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        string output;
        lock (_output)
        {
            output = string.Join('\n', _output);
        }

        throw new InvalidOperationException($"The empty Admin service did not become healthy:\n{output}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > 50)
            {
                _output.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
