namespace Tower.AppHost.Infrastructure;

/// <summary>Runs a server as its own system user when the launcher is root (PostgreSQL refuses root).</summary>
internal static class LocalUser
{
    public static (string Command, string[] Prefix) Command(string user, string binary) =>
        LocalLayout.IsRoot
            ? ("setpriv", [$"--reuid={user}", $"--regid={user}", "--init-groups", "--no-new-privs", "--", binary])
            : (binary, []);
}
