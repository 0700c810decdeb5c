namespace Tower.Scripting;

/// <summary>One line a script logged, before masking and capping.</summary>
internal readonly record struct ScriptLogLine(string Level, string Text);
