
namespace Tower.Admin.Yaml;

public sealed record ImportReport(bool DryRun, IReadOnlyList<ImportedRecord> Created, IReadOnlyList<ImportedRecord> Updated, IReadOnlyList<ImportedRecord> Skipped)
{
    /// <summary>What must still be done by hand (empty for Tower's own documents).</summary>
    public IReadOnlyList<ImportNote> ToDo { get; init; } = [];
}
