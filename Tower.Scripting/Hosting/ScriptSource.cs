
namespace Tower.Scripting.Hosting;

/// <summary>The text of a script, as the Admin service stores it.</summary>
public sealed record ScriptSource(ScriptKind Kind, string Code);
