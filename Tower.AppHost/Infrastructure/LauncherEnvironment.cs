using System.Collections;

namespace Tower.AppHost.Infrastructure;

/// <summary>
/// The launcher's own settings and keys (<c>TOWER_ROOT_API_KEY</c>, <c>TOWER_SECRETS_KEY</c>,
/// <c>TOWER_DATA_DIR</c>, <c>Tower__*</c>) stay with the launcher. Aspire's orchestrator (DCP)
/// inherits the launcher's environment, and every process it starts inherits DCP's, so once the
/// launcher has read its configuration it removes them from its environment; each service then
/// gets only what the launcher hands it explicitly (the root and secrets keys reach Admin alone).
/// </summary>
internal static class LauncherEnvironment
{
    public static void WithholdTowerSettings()
    {
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if (name.StartsWith("TOWER_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("TOWER:", StringComparison.OrdinalIgnoreCase))
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }
}
