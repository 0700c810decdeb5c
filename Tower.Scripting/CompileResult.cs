
namespace Tower.Scripting;

public sealed record CompileResult(ScriptImage? Image, IReadOnlyList<ScriptDiagnostic> Errors);
