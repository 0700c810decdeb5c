using System.ComponentModel.DataAnnotations;

namespace Tower.Admin.Infrastructure;

public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>The bootstrap root user's key, used only when the system has no users yet.</summary>
    [Required, MinLength(32)]
    public string RootApiKey { get; set; } = "";

    /// <summary>The key that encrypts secrets at rest; never stored in the database.</summary>
    [Required, MinLength(32)]
    public string SecretsKey { get; set; } = "";

    /// <summary>The gateway's public address, used to compute each webhook's <c>full_url</c>.</summary>
    [Required, Url]
    public string PublicBaseUrl { get; set; } = "";
}
