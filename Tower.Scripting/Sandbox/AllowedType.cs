namespace Tower.Scripting.Sandbox;

/// <summary>One type scripts may use: how much of it, and which of its members are refused all the same and why.</summary>
/// <param name="Name">The metadata name with its namespace, as <c>System.Collections.Generic.List`1</c>.</param>
internal sealed record AllowedType(string Name, MemberAccess Access, IReadOnlyDictionary<string, string> RefusedMembers)
{
    /// <summary>With <see cref="MemberAccess.Listed"/>, the only members that may be used.</summary>
    public IReadOnlyList<string> ListedMembers { get; init; } = [];

    public string Namespace => Name[..Name.LastIndexOf('.')];

    /// <summary>The name a reader knows: <c>List&lt;T&gt;</c> for <c>List`1</c>.</summary>
    public string DisplayName
    {
        get
        {
            var name = Name[(Name.LastIndexOf('.') + 1)..];
            var tick = name.IndexOf('`');
            return tick < 0 ? name : $"{name[..tick]}<{new string(',', int.Parse(name[(tick + 1)..], System.Globalization.CultureInfo.InvariantCulture) - 1)}>";
        }
    }
}
