using Microsoft.Extensions.Configuration;

namespace Tower.AppHost.Infrastructure;

/// <summary>
/// The bootstrap root key: <c>TOWER_ROOT_API_KEY</c> when set; otherwise a key generated once
/// into an owner-only file, whose path (never the key) is printed.
/// </summary>
internal static class RootApiKey
{
    public const int MinimumLength = 32;
    private const string FileName = "root-api-key";

    public static string Resolve(IConfiguration configuration, LocalLayout layout)
    {
        var configured = configuration["TOWER_ROOT_API_KEY"];
        if (!string.IsNullOrEmpty(configured))
        {
            if (configured.Length < MinimumLength)
            {
                throw new InvalidOperationException($"TOWER_ROOT_API_KEY must be at least {MinimumLength} characters long.");
            }

            Console.WriteLine("Tower: the root API key is the value of TOWER_ROOT_API_KEY.");
            return configured;
        }

        var key = layout.Key(FileName);
        Console.WriteLine($"Tower: the root API key is in {layout.KeyPath(FileName)} (readable by its owner only).");
        return key;
    }
}
