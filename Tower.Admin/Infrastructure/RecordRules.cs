using Tower.Contracts.Networking;
using Tower.Scripting;

namespace Tower.Admin.Infrastructure;

/// <summary>Validation shared by webhooks and authenticators.</summary>
public sealed class RecordRules(AdminDb db)
{
    public static void CheckName(string? name, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add("name", "A name is required.");
        }
    }

    public static void CheckReference(string? reference, ValidationErrors errors)
    {
        if (!string.IsNullOrEmpty(reference) && !References.IsValid(reference))
        {
            errors.Add("reference", $"'{reference}' is not a valid reference: use lower-case letters, digits and '_'.");
        }
    }

    public static void CheckIpList(string field, string? text, ValidationErrors errors)
    {
        IpRangeList.Parse(text, out var invalid);
        foreach (var entry in invalid)
        {
            errors.Add(field, IpRangeList.HasLeadingZero(entry)
                ? $"'{entry}' has an IPv4 number with a leading zero, which may be read as octal or as decimal: write it without leading zeros."
                : $"'{entry}' is not an IPv4/IPv6 address or CIDR range.");
        }
    }

    /// <summary>Compile errors and refused APIs, each with its line and column, under <paramref name="field"/>.</summary>
    public static void CheckCode(ScriptKind kind, string? code, ValidationErrors errors, string field = "code")
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return;
        }

        foreach (var diagnostic in ScriptCompiler.Validate(kind, code))
        {
            errors.Add(field, diagnostic.ToString());
        }
    }

    /// <summary>Every linked variable and secret must exist.</summary>
    public async Task CheckLinksAsync(IReadOnlyList<string> variables, IReadOnlyList<string> secrets, ValidationErrors errors, CancellationToken ct)
    {
        await CheckExistAsync("variables", variables, errors, ct);
        await CheckExistAsync("secrets", secrets, errors, ct);
    }

    public async Task<bool> UserExistsAsync(string login, CancellationToken ct) =>
        await db.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM users WHERE login = @login)", new { login }, ct);

    /// <summary>A new reference for a record of <paramref name="table"/>: the stem, or the stem with the first free suffix.</summary>
    public async Task<string> NewReferenceAsync(string table, string stem, CancellationToken ct) =>
        References.Unique(stem, (await db.QueryAsync<string>(
            $"SELECT reference FROM {table} WHERE starts_with(reference, @stem)", new { stem }, ct)).ToHashSet());

    private async Task CheckExistAsync(string table, IReadOnlyList<string> references, ValidationErrors errors, CancellationToken ct)
    {
        if (references.Count == 0)
        {
            return;
        }

        var found = (await db.QueryAsync<string>(
            $"SELECT reference FROM {table} WHERE reference = ANY(@references)", new { references = references.ToArray() }, ct)).ToHashSet();
        foreach (var missing in references.Where(reference => !found.Contains(reference)).Distinct())
        {
            errors.Add(table, $"There is no {table[..^1]} with reference '{missing}'.");
        }
    }
}
