using Tower.Scripting.Sandbox;

namespace Tower.Unit.Tests;

public class ScriptsDocumentationTests
{
    /// <summary>
    /// docs/scripts.md lists what scripts may use from the sandbox's own allowlist. After a change
    /// to the list, run this test once with TOWER_UPDATE_DOCS=1 to write the new section.
    /// </summary>
    [Fact]
    public void The_documented_allowlist_is_the_one_the_sandbox_enforces()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "scripts.md");
        var document = File.ReadAllText(path);
        var begin = document.IndexOf(AllowlistDocument.Begin, StringComparison.Ordinal);
        var end = document.IndexOf(AllowlistDocument.End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "docs/scripts.md has no generated allowlist section");
        var documented = document[begin..(end + AllowlistDocument.End.Length + Environment.NewLine.Length)];

        var enforced = AllowlistDocument.Render();
        if (Environment.GetEnvironmentVariable("TOWER_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, document.Replace(documented, enforced, StringComparison.Ordinal));
            return;
        }

        Assert.Equal(enforced, documented);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Tower.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Tower.sln was not found above " + AppContext.BaseDirectory);
    }
}
