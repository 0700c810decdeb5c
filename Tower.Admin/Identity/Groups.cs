namespace Tower.Admin.Identity;

public static class Groups
{
    public const string Root = "root";
    public const string Manager = "manager";
    public const string User = "user";

    public static readonly IReadOnlyList<string> All = [Root, Manager, User];

    /// <summary>Authorization policy: root only (webhooks, authenticators, logs, YAML, settings, users).</summary>
    public const string RootPolicy = "root";

    /// <summary>Authorization policy: root or manager (variables and secrets).</summary>
    public const string ManagerPolicy = "manager";
}
