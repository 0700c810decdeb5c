
namespace Tower.Scripting;

/// <summary>Thrown into a script whose deadline has passed; the run ends as timed out.</summary>
public sealed class ScriptDeadlineException() : Exception("The script ran past its time limit.");
