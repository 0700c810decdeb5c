using System.Diagnostics;

namespace Tower.AppHost.Infrastructure;

/// <summary>
/// Where PostgreSQL and RabbitMQ come from: containers where a container engine answers, local
/// processes of Debian's packages where none does. <c>Tower:Infrastructure</c> = auto | containers | processes.
/// </summary>
internal static class InfrastructureMode
{
    public static bool UseContainers(string? setting) => setting?.ToLowerInvariant() switch
    {
        "containers" => true,
        "processes" => false,
        null or "" or "auto" => ContainerEngineAnswers(),
        _ => throw new InvalidOperationException($"Tower:Infrastructure is '{setting}'; use auto, containers or processes."),
    };

    private static bool ContainerEngineAnswers()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("docker", "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }

            process.StandardOutput.ReadToEndAsync();
            process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
