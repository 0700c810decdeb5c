using System.Text;

namespace Tower.Scripting.Sandbox;

/// <summary>
/// The "What a script may use" section of <c>docs/scripts.md</c>, written from
/// <see cref="ScriptAllowlist"/> itself; a unit test keeps the file equal to it.
/// </summary>
internal static class AllowlistDocument
{
    public const string Begin = "<!-- allowlist: generated from Tower.Scripting/Sandbox/ScriptAllowlist.cs; do not edit by hand -->";
    public const string End = "<!-- end of allowlist -->";

    public static string Render()
    {
        var text = new StringBuilder();
        text.AppendLine(Begin);
        text.AppendLine("| namespace | types |");
        text.AppendLine("|---|---|");
        foreach (var group in ScriptAllowlist.Types.GroupBy(type => type.Namespace).OrderBy(group => group.Key, StringComparer.Ordinal))
        {
            var interfaces = ScriptAllowlist.InterfaceNamespaces.Contains(group.Key) ? "; every public interface" : "";
            text.AppendLine($"| `{group.Key}` | {string.Join(", ", group.Select(Describe))}{interfaces} |");
        }

        text.AppendLine();
        text.AppendLine("Members refused by name, and why:");
        text.AppendLine();
        foreach (var type in ScriptAllowlist.Types.Where(type => type.RefusedMembers.Count > 0))
        {
            foreach (var (member, reason) in type.RefusedMembers.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                var name = member == ".ctor" ? $"`new {type.DisplayName}(…)`" : $"`{type.DisplayName}.{member}`";
                text.AppendLine($"- {name}: {reason}");
            }
        }

        text.AppendLine(End);
        return text.ToString();
    }

    private static string Describe(AllowedType type) => type.Access switch
    {
        MemberAccess.ReadOnly => $"`{type.DisplayName}` (read-only)",
        MemberAccess.TypeOnly => $"`{type.DisplayName}` (await only)",
        MemberAccess.Listed => $"`{type.DisplayName}` (only {string.Join(", ", type.ListedMembers.Select(member => $"`{member}`"))})",
        _ => $"`{type.DisplayName}`",
    };
}
