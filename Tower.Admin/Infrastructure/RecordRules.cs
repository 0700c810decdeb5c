using Dapper;
using Npgsql;
using Tower.Contracts.Networking;
using Tower.Scripting;

namespace Tower.Admin.Infrastructure;

/// <summary>Validation shared by webhooks and authenticators.</summary>
public sealed class RecordRules(NpgsqlDataSource dataSource)
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
            errors.Add(field, $"'{entry}' is not an IPv4/IPv6 address or CIDR range.");
        }
    }

    /// <summary>Compile errors and refused APIs, each with its line and column.</summary>
    public static void CheckCode(ScriptKind kind, string? code, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return;
        }

        foreach (var diagnostic in ScriptCompiler.Validate(kind, code))
        {
            errors.Add("code", diagnostic.ToString());
        }
    }

    /// <summary>Every linked variable and secret must exist.</summary>
    public async Task CheckLinksAsync(IReadOnlyList<string> variables, IReadOnlyList<string> secrets, ValidationErrors errors, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await CheckExistAsync(connection, "variables", "variables", variables, errors, cancellationToken);
        await CheckExistAsync(connection, "secrets", "secrets", secrets, errors, cancellationToken);
    }

    /// <summary>The references of <paramref name="table"/> that start with the stem, to generate a unique one.</summary>
    public async Task<IReadOnlySet<string>> ReferencesStartingWithAsync(string table, string stem, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var found = await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT reference FROM {table} WHERE starts_with(reference, @stem)", new { stem }, cancellationToken: cancellationToken));
        return found.ToHashSet();
    }

    private static async Task CheckExistAsync(NpgsqlConnection connection, string table, string field, IReadOnlyList<string> references,
        ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (references.Count == 0)
        {
            return;
        }

        var found = (await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT reference FROM {table} WHERE reference = ANY(@references)", new { references = references.ToArray() },
            cancellationToken: cancellationToken))).ToHashSet();
        foreach (var missing in references.Where(reference => !found.Contains(reference)).Distinct())
        {
            errors.Add(field, $"There is no {field[..^1]} with reference '{missing}'.");
        }
    }
}
