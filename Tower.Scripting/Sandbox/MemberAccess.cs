namespace Tower.Scripting.Sandbox;

/// <summary>Which members of an allowed type a script may use (each still meets the rules every member meets).</summary>
internal enum MemberAccess
{
    /// <summary>Every public member, except those the entry refuses by name.</summary>
    All,

    /// <summary>Every public member except setters: instances of the type may be shared by the whole process.</summary>
    ReadOnly,

    /// <summary>The type may be named or awaited, but none of its members used directly.</summary>
    TypeOnly,

    /// <summary>Only the members the entry lists (a type most of which is out of bounds).</summary>
    Listed,
}
