namespace Tower.Scripting;

/// <summary>What outbound HTTP from scripts may reach; enforced by the service, outside the worker.</summary>
public sealed record ScriptHttpPolicy(IReadOnlyList<string> AllowedHosts, int MaxResponseBytes)
{
    public const int DefaultMaxResponseBytes = 1024 * 1024;

    public static ScriptHttpPolicy Default { get; } = new([], DefaultMaxResponseBytes);
}
