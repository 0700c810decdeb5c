
namespace Tower.Admin.Yaml;

/// <summary>One record of an import document, its fields read into the API's input shape.</summary>
public sealed record ImportRecord(int Index, string Model, string? Reference, int Line, object Input)
{
    /// <summary>How errors name the record: <c>webhook 'github_push' (line 12)</c>.</summary>
    public string Label => LabelOf(Model, Reference, Line);

    public static string LabelOf(string model, string? reference, int line) =>
        string.IsNullOrEmpty(reference) ? $"{model} at line {line}" : $"{model} '{reference}' (line {line})";

    public string Key(string field) => KeyOf(Index, field);

    /// <summary>What the import report tells an admin to do about this record (a Cetmix Tower record to port), if anything.</summary>
    public string? Note { get; init; }

    /// <summary>
    /// For a variable or secret that must exist but comes without a value (Cetmix Tower's export):
    /// the value it is created with when missing; an existing one is left as it is.
    /// </summary>
    public string? ValueIfMissing { get; init; }

    /// <summary>How errors name a record's field: <c>records[2].endpoint</c>.</summary>
    public static string KeyOf(int index, string field) => $"records[{index}].{field}";
}
