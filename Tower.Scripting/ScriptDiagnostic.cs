
namespace Tower.Scripting;

/// <summary>A compile error or refusal, with its 1-based position in the script.</summary>
public sealed record ScriptDiagnostic(int Line, int Column, string Message)
{
    public override string ToString() => $"line {Line}, column {Column}: {Message}";
}
