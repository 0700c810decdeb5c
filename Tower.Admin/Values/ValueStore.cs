using System.Data;
using Dapper;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Values;

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

    /// <summary>
    /// A new value for a secret that standard_webhooks verifiers use must stay a Standard Webhooks
    /// secret: otherwise those verifiers would refuse every call from then on.
    /// </summary>
    public async Task CheckVerifierUseAsync(ValueKind kind, string reference, string? value, ValidationErrors errors, CancellationToken ct)
    {
        if (kind != ValueKind.Secret || value is null || Authenticators.VerifierRules.IsStandardWebhooksSecret(value))
        {
            return;
        }

        var users = await db.QueryAsync<string>(
            "SELECT reference FROM authenticators WHERE verifier ->> 'kind' = 'standard_webhooks' AND @reference = ANY(verifier_secrets) ORDER BY reference",
            new { reference }, ct);
        if (users.Count > 0)
        {
            errors.Add("value", $"Authenticators {string.Join(", ", users)} verify Standard Webhooks signatures with this secret: its value must be whsec_ followed by the base64 key.");
        }
    }

    public async Task InsertAsync(ValueKind kind, string reference, ValueInput input, string actor, CancellationToken ct) =>
        await db.ExecuteAsync(
            $"INSERT INTO {Table(kind)} (reference, name, {ValueColumn(kind)}, created_by, updated_by) VALUES (@reference, @name, @stored, @actor, @actor)",
            new { reference, name = input.Name!.Trim(), stored = Stored(kind, input.Value), actor }, ct);

    /// <summary>
    /// Replaces the name and value when the value exists and meets <paramref name="ifMatch"/>,
    /// giving it a new version; a secret given no value keeps the stored one.
    /// </summary>
    public async Task<WriteOutcome> UpdateAsync(ValueKind kind, string reference, ValueInput input, string actor, IfMatch ifMatch, CancellationToken ct)
    {
        var sql = $"""
            UPDATE {Table(kind)} SET name = @name, {ValueColumn(kind)} = COALESCE(@stored, {ValueColumn(kind)}), updated_by = @actor,
                updated_at = now(), version = gen_random_uuid()
            WHERE reference = @reference AND {IfMatch.Condition}
            """;
        var parameters = ifMatch.AddTo(new DynamicParameters(new { reference, name = input.Name!.Trim(), stored = Stored(kind, input.Value), actor }));
        return await OutcomeAsync(kind, await db.ExecuteAsync(sql, parameters, ct), reference, ct);
    }

    /// <summary>
    /// Deletes the value unless webhooks or authenticators link it (then returns those users) or it
    /// does not meet <paramref name="ifMatch"/>.
    /// </summary>
    public async Task<(WriteOutcome Outcome, IReadOnlyList<string> UsedBy)> DeleteAsync(ValueKind kind, string reference, IfMatch ifMatch, CancellationToken ct)
    {
        var table = Table(kind);
        await using var transaction = await db.BeginAsync(IsolationLevel.Serializable, ct);
        var usedBy = await db.QueryAsync<string>(
            $"""
            SELECT 'webhook ' || reference FROM webhooks WHERE @reference = ANY({table})
            UNION ALL
            SELECT 'authenticator ' || reference FROM authenticators WHERE @reference = ANY({(kind == ValueKind.Secret ? "secrets || verifier_secrets" : table)})
            ORDER BY 1
            """, new { reference }, ct);
        if (usedBy.Count > 0)
        {
            return (WriteOutcome.InUse, usedBy);
        }

        var deleted = await db.ExecuteAsync(
            $"DELETE FROM {table} WHERE reference = @reference AND {IfMatch.Condition}", ifMatch.AddTo(new DynamicParameters(new { reference })), ct);
        var outcome = await OutcomeAsync(kind, deleted, reference, ct);
        await transaction.CommitAsync(ct);
        return (outcome, []);
    }

    private async Task<WriteOutcome> OutcomeAsync(ValueKind kind, int written, string reference, CancellationToken ct) =>
        written == 1 ? WriteOutcome.Written : await ExistsAsync(kind, reference, ct) ? WriteOutcome.Stale : WriteOutcome.NotFound;

    private static string Columns(ValueKind kind) =>
        kind == ValueKind.Variable
            ? "reference, name, value, created_by, created_at, updated_by, updated_at, version"
            : "reference, name, NULL AS value, created_by, created_at, updated_by, updated_at, version";

    private static string ValueColumn(ValueKind kind) => kind == ValueKind.Variable ? "value" : "value_encrypted";

    private object? Stored(ValueKind kind, string? value) =>
        kind == ValueKind.Secret && value is not null ? protector.Protect(value) : value;
}
