using System.Reflection;

namespace Tower.Scripting.Workers;

/// <summary>
/// The files a worker runs from: the host assembly, the script engine and the contracts, copied
/// into a folder of their own that an unprivileged user can read (a checkout below root's home
/// is not), with a runtime configuration that names only the base .NET runtime.
/// </summary>
internal sealed class WorkerLayout : IDisposable
{
    private const string RuntimeConfigName = "tower-script-worker.runtimeconfig.json";

    private WorkerLayout(string directory, string dotnetPath, IReadOnlyList<string> arguments, IReadOnlyList<string> readOnlyPaths, WorkerSandbox sandbox)
    {
        Directory = directory;
        DotnetPath = dotnetPath;
        Arguments = arguments;
        ReadOnlyPaths = readOnlyPaths;
        Sandbox = sandbox;
    }

    public string Directory { get; }
    public string DotnetPath { get; }
    public IReadOnlyList<string> Arguments { get; }
    public WorkerSandbox Sandbox { get; }

    /// <summary>What a confined worker must be able to read: its own folder and the .NET installation.</summary>
    public IReadOnlyList<string> ReadOnlyPaths { get; }

    public static WorkerLayout Create(WorkerPoolOptions options)
    {
        var host = options.WorkerHostAssembly ?? Assembly.GetEntryAssembly()?.Location
            ?? throw new InvalidOperationException("No worker host assembly: set Scripting:WorkerHostAssembly.");
        var directory = Path.Combine(Path.GetTempPath(), "tower-script-worker-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        SetMode(directory, readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

        // The worker loads only these: its entry point, the engine, the contracts, and the defaults' non-dumpable switch.
        var sources = new[]
        {
            host, typeof(ScriptWorker).Assembly.Location, typeof(Contracts.TowerJson).Assembly.Location,
            typeof(Microsoft.Extensions.Hosting.NonDumpable).Assembly.Location,
        };
        foreach (var source in sources.Distinct())
        {
            var target = Path.Combine(directory, Path.GetFileName(source));
            File.Copy(source, target, overwrite: true);
            SetMode(target, readable);
        }

        // As for the services (Directory.Build.props): idle thread-pool threads sleep at once. With the
        // runtime's default they spun after each call: 40% of the workers' CPU under load (perf).
        var version = Environment.Version;
        var runtimeConfig = Path.Combine(directory, RuntimeConfigName);
        File.WriteAllText(runtimeConfig, $$$"""
            {"runtimeOptions": {"tfm": "net{{{version.Major}}}.{{{version.Minor}}}",
              "framework": {"name": "Microsoft.NETCore.App", "version": "{{{version.Major}}}.{{{version.Minor}}}.0"},
              "configProperties": {"System.GC.Concurrent": false, "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit": 0} } }
            """);
        SetMode(runtimeConfig, readable);

        var dotnet = FindDotnet();
        string[] readOnlyPaths = [directory, Path.GetDirectoryName(new FileInfo(dotnet).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dotnet)!];
        return new WorkerLayout(directory, dotnet,
            ["exec", "--runtimeconfig", runtimeConfig, Path.Combine(directory, Path.GetFileName(host)), ScriptWorker.Argument],
            readOnlyPaths, WorkerSandbox.Detect(options, dotnet, readOnlyPaths));
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    private static string FindDotnet()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } processPath && Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            return processPath;
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "dotnet"))
            .FirstOrDefault(File.Exists);
        return onPath ?? throw new InvalidOperationException("The dotnet host was not found to start script workers.");
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A worker that is still exiting may hold a file; the folder is in the temporary area.
        }
    }
}
