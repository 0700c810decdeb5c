
namespace Tower.Admin.Yaml;

/// <summary>What an admin must still do about a record the import wrote (a Cetmix Tower record: code to port, a value to set).</summary>
public sealed record ImportNote(string Model, string Reference, string Note);
