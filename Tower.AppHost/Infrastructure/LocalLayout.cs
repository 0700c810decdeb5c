using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

// Local-process mode runs Debian's servers as their own users: the launcher targets Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Tower.AppHost.Infrastructure;

/// <summary>
/// The data folder of a local-process run: PostgreSQL's and RabbitMQ's data, and the keys the
/// launcher generates. It must be reachable by the <c>postgres</c> and <c>rabbitmq</c> users,
/// so it defaults to <c>/var/lib/tower</c> for root and to the user's data folder otherwise.
/// </summary>
internal sealed class LocalLayout
{
    public LocalLayout(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        if (IsRoot)
        {
            // Other users need to traverse the root to reach their own sub-folders.
            File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
            CheckTraversable(Root);
        }

        KeysDirectory = Path.Combine(Root, "keys");
        Directory.CreateDirectory(KeysDirectory);
        File.SetUnixFileMode(KeysDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public static bool IsRoot => Environment.UserName == "root";

    public string Root { get; }

    public string KeysDirectory { get; }

    public static string DefaultRoot() =>
        IsRoot
            ? "/var/lib/tower"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "tower");

    /// <summary>A sub-folder owned by <paramref name="user"/> (when running as root) with the given mode.</summary>
    public string OwnedDirectory(string name, string user, UnixFileMode mode)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, mode);
        if (IsRoot)
        {
            Run("chown", "-R", $"{user}:{user}", path);
        }

        return path;
    }

    /// <summary>
    /// The key stored in <paramref name="fileName"/>, created on first use in a file that only
    /// the launcher's user can read.
    /// </summary>
    public string Key(string fileName)
    {
        var path = KeyPath(fileName);
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var key = RandomNumberGenerator.GetHexString(48, lowercase: true);
        WriteOwnerOnly(path, key);
        return key;
    }

    public string KeyPath(string fileName) => Path.Combine(KeysDirectory, fileName);

    public static void WriteOwnerOnly(string path, string content)
    {
        using (var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Runs a command that prepares the layout, and fails loudly with its output.</summary>
    public static void Run(string command, params string[] args)
    {
        var (exitCode, output, error) = Capture(command, args);
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{command} {string.Join(' ', args)}' failed with exit code {exitCode}: {error}{output}");
        }
    }

    /// <summary>Runs a command to its end and gives back its exit code, output and error output.</summary>
    public static (int ExitCode, string Output, string Error) Capture(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {command}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    /// <summary>A TCP port that is free on loopback right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void CheckTraversable(string path)
    {
        for (var dir = new DirectoryInfo(path); dir is not null; dir = dir.Parent)
        {
            if ((dir.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                throw new InvalidOperationException(
                    $"The data folder '{path}' is below '{dir.FullName}', which the postgres and rabbitmq users cannot enter. " +
                    "Choose another folder with Tower__DataDir (the default is /var/lib/tower).");
            }
        }
    }
}
