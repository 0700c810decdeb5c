using System.Data;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Values;

public enum ValueKind
{
    Variable,
    Secret,
}

/// <summary>A variable or a secret as stored; a secret's row never carries its value.</summary>
public sealed record ValueRow
{
    public string Reference { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Value { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public string UpdatedBy { get; init; } = "";
    public DateTime UpdatedAt { get; init; }
}

/// <summary>
/// Variables and secrets. Secrets are encrypted at rest with a key kept outside the database,
/// at least <see cref="MinSecretLength"/> characters, and never read back out through here.
/// </summary>
public sealed class ValueStore(AdminDb db, SecretProtector protector)
{
    public const int MinSecretLength = 8;

    public static string Table(ValueKind kind) => kind == ValueKind.Variable ? "variables" : "secrets";

    public static string Singular(ValueKind kind) => kind == ValueKind.Variable ? "variable" : "secret";

    public async Task<IReadOnlyList<ValueRow>> ListAsync(ValueKind kind, string? after, int limit, CancellationToken ct) =>
        await db.QueryAsync<ValueRow>(
            $"SELECT {Columns(kind)} FROM {Table(kind)} WHERE @after::text IS NULL OR reference > @after ORDER BY reference LIMIT @limit",
            new { after, limit }, ct);

    public Task<ValueRow?> FindAsync(ValueKind kind, string reference, CancellationToken ct) =>
        db.QuerySingleOrDefaultAsync<ValueRow>($"SELECT {Columns(kind)} FROM {Table(kind)} WHERE reference = @reference", new { reference }, ct);

    public async Task<bool> ExistsAsync(ValueKind kind, string reference, CancellationToken ct) =>
        await db.ScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM {Table(kind)} WHERE reference = @reference)", new { reference }, ct);

    /// <summary>
    /// The rules of a value's name and value. A variable needs a value; a secret needs one of at
    /// least <see cref="MinSecretLength"/> characters when it is created, and a replacement may omit it to keep the stored one.
    /// </summary>
    public static void Check(ValueKind kind, ValueInput input, bool creating, ValidationErrors errors)
    {
        RecordRules.CheckName(input.Name, errors);
        if (kind == ValueKind.Variable && input.Value is null)
        {
            errors.Add("value", "A value is required.");
        }

        if (kind == ValueKind.Secret && (creating || input.Value is not null) && (input.Value is null || input.Value.Length < MinSecretLength))
        {
            errors.Add("value", $"A secret's value must be at least {MinSecretLength} characters long.");
        }
    }

    public async Task InsertAsync(ValueKind kind, string reference, ValueInput input, string actor, CancellationToken ct) =>
        await db.ExecuteAsync(
            $"INSERT INTO {Table(kind)} (reference, name, {ValueColumn(kind)}, created_by, updated_by) VALUES (@reference, @name, @stored, @actor, @actor)",
            new { reference, name = input.Name!.Trim(), stored = Stored(kind, input.Value), actor }, ct);

    /// <summary>Replaces the name and value; a secret given no value keeps the stored one.</summary>
    public async Task<bool> UpdateAsync(ValueKind kind, string reference, ValueInput input, string actor, CancellationToken ct) =>
        await db.ExecuteAsync(
            $"""
            UPDATE {Table(kind)} SET name = @name, {ValueColumn(kind)} = COALESCE(@stored, {ValueColumn(kind)}), updated_by = @actor, updated_at = now()
            WHERE reference = @reference
            """,
            new { reference, name = input.Name!.Trim(), stored = Stored(kind, input.Value), actor }, ct) == 1;

    /// <summary>Deletes the value unless webhooks or authenticators link it; returns those users.</summary>
    public async Task<(bool Deleted, IReadOnlyList<string> UsedBy)> DeleteAsync(ValueKind kind, string reference, CancellationToken ct)
    {
        var table = Table(kind);
        await using var transaction = await db.BeginAsync(IsolationLevel.Serializable, ct);
        var usedBy = await db.QueryAsync<string>(
            $"""
            SELECT 'webhook ' || reference FROM webhooks WHERE @reference = ANY({table})
            UNION ALL
            SELECT 'authenticator ' || reference FROM authenticators WHERE @reference = ANY({table})
            ORDER BY 1
            """, new { reference }, ct);
        if (usedBy.Count > 0)
        {
            return (false, usedBy);
        }

        var deleted = await db.ExecuteAsync($"DELETE FROM {table} WHERE reference = @reference", new { reference }, ct);
        await transaction.CommitAsync(ct);
        return (deleted == 1, []);
    }

    private static string Columns(ValueKind kind) =>
        kind == ValueKind.Variable
            ? "reference, name, value, created_by, created_at, updated_by, updated_at"
            : "reference, name, NULL AS value, created_by, created_at, updated_by, updated_at";

    private static string ValueColumn(ValueKind kind) => kind == ValueKind.Variable ? "value" : "value_encrypted";

    private object? Stored(ValueKind kind, string? value) =>
        kind == ValueKind.Secret && value is not null ? protector.Protect(value) : value;
}
