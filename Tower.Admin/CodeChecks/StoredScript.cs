using Tower.Scripting;

namespace Tower.Admin.CodeChecks;

/// <summary>The stored code of one webhook or authenticator, with the identity of its text.</summary>
public sealed record StoredScript(ScriptKind Kind, string Reference, string Code)
{
    public string Identity { get; } = ScriptIdentity.Of(Kind, Code);
}
