
namespace Tower.Scripting;

// The members below are the names scripts use, so they follow the spec (payload, raw_body,
// exit_code), not .NET naming.
#pragma warning disable IDE1006

/// <summary>
/// Lines a script writes: at most 100 are kept (later ones are dropped, the call goes on), each
/// masked and cut to 1,000 characters as it is written, so a chatty script holds little.
/// </summary>
public sealed class ScriptLog
{
    public const int MaxLines = 100;

    private readonly List<string> _lines = [];
    private readonly IReadOnlyDictionary<string, string> _secrets;

    /// <param name="secrets">The values to mask in every line.</param>
    internal ScriptLog(IReadOnlyDictionary<string, string> secrets) => _secrets = secrets;

    /// <summary>The lines so far (work a script left running may still be adding some).</summary>
    internal string[] Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public void info(string? text) => Add("INFO", text);
    public void warning(string? text) => Add("WARNING", text);
    public void error(string? text) => Add("ERROR", text);

    private void Add(string level, string? text)
    {
        lock (_lines)
        {
            if (_lines.Count < MaxLines)
            {
                _lines.Add($"{level}: {ScriptOutput.Clean(text ?? "", _secrets, ScriptOutput.MaxLogLineLength)}");
            }
        }
    }
}
