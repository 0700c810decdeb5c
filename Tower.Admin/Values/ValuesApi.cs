using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Tower.Admin.Identity;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Values;

/// <summary>What a client sends for a variable or a secret; a secret's value is write-only.</summary>
public sealed record ValueInput(string? Reference, string? Name, string? Value);

/// <summary>A variable as shown: <c>{reference, name, value}</c>.</summary>
public sealed record VariableView(string Reference, string Name, string Value, string CreatedBy, DateTime CreatedAt, string UpdatedBy, DateTime UpdatedAt);

/// <summary>A secret as shown: never its value.</summary>
public sealed record SecretView(string Reference, string Name, string CreatedBy, DateTime CreatedAt, string UpdatedBy, DateTime UpdatedAt);

/// <summary>
/// <c>/api/variables</c> and <c>/api/secrets</c> (root and manager). Secrets are encrypted at rest,
/// at least 8 characters, never returned; a PUT without a value keeps the stored one. Deleting one
/// that a webhook or authenticator links answers 409 naming them.
/// </summary>
internal static class ValuesApi
{
    public const int MinSecretLength = 8;

    public static IEndpointRouteBuilder MapValuesApi(this IEndpointRouteBuilder app)
    {
        MapKind(app, Kind.Variable, "Variables", row => ToVariable(row));
        MapKind(app, Kind.Secret, "Secrets", row => ToSecret(row));
        return app;
    }

    private static void MapKind(IEndpointRouteBuilder app, Kind kind, string tag, Func<Row, object> view)
    {
        var table = Table(kind);
        var group = app.MapGroup($"/api/{table}").RequireAuthorization(Groups.ManagerPolicy).WithTags(tag);
        group.MapGet("/", (HttpRequest request, NpgsqlDataSource db, CancellationToken ct) => ListAsync(request, db, table, view, ct));
        group.MapGet("/{reference}", async (string reference, NpgsqlDataSource db, CancellationToken ct) =>
            await FindAsync(db, table, reference, ct) is { } row ? Results.Ok(view(row)) : Results.NotFound());
        group.MapPost("/", (ValueInput input, ClaimsPrincipal user, NpgsqlDataSource db, RecordRules rules, SecretProtector protector, ConfigChanges changes, CancellationToken ct) =>
            SaveAsync(kind, null, input, user, db, rules, protector, changes, ct));
        group.MapPut("/{reference}", (string reference, ValueInput input, ClaimsPrincipal user, NpgsqlDataSource db, RecordRules rules, SecretProtector protector, ConfigChanges changes, CancellationToken ct) =>
            SaveAsync(kind, reference, input, user, db, rules, protector, changes, ct));
        group.MapDelete("/{reference}", (string reference, NpgsqlDataSource db, ConfigChanges changes, CancellationToken ct) =>
            DeleteAsync(kind, reference, db, changes, ct));
    }

    private enum Kind { Variable, Secret }

    private static string Table(Kind kind) => kind == Kind.Variable ? "variables" : "secrets";

    private static string Singular(Kind kind) => kind == Kind.Variable ? "variable" : "secret";

    private sealed record Row
    {
        public string Reference { get; init; } = "";
        public string Name { get; init; } = "";
        public string? Value { get; init; }
        public string CreatedBy { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public string UpdatedBy { get; init; } = "";
        public DateTime UpdatedAt { get; init; }
    }

    private static VariableView ToVariable(Row row) => new(row.Reference, row.Name, row.Value ?? "", row.CreatedBy, row.CreatedAt, row.UpdatedBy, row.UpdatedAt);

    private static SecretView ToSecret(Row row) => new(row.Reference, row.Name, row.CreatedBy, row.CreatedAt, row.UpdatedBy, row.UpdatedAt);

    private static string SelectColumns(string table) =>
        table == "variables"
            ? "reference, name, value, created_by, created_at, updated_by, updated_at"
            : "reference, name, NULL AS value, created_by, created_at, updated_by, updated_at";

    private static Task<Results<Ok<Page<TView>>, ValidationProblem>> ListAsync<TView>(
        HttpRequest request, NpgsqlDataSource db, string table, Func<Row, TView> view, CancellationToken ct) =>
        Paging.ListAsync(request, async (after, limit) =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            return (IReadOnlyList<Row>)(await connection.QueryAsync<Row>(new CommandDefinition(
                $"SELECT {SelectColumns(table)} FROM {table} WHERE @after::text IS NULL OR reference > @after ORDER BY reference LIMIT @limit",
                new { after, limit }, cancellationToken: ct))).AsList();
        }, row => row.Reference, view);

    private static async Task<Row?> FindAsync(NpgsqlDataSource db, string table, string reference, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {SelectColumns(table)} FROM {table} WHERE reference = @reference", new { reference }, cancellationToken: ct));
    }

    private static async Task<IResult> SaveAsync(Kind kind, string? pathReference, ValueInput input, ClaimsPrincipal user, NpgsqlDataSource db,
        RecordRules rules, SecretProtector protector, ConfigChanges changes, CancellationToken ct)
    {
        var table = Table(kind);
        var creating = pathReference is null;
        var errors = new ValidationErrors();
        RecordRules.CheckName(input.Name, errors);
        var reference = pathReference ?? input.Reference;
        if (!creating && !string.IsNullOrEmpty(input.Reference) && input.Reference != pathReference)
        {
            errors.Add("reference", "The reference in the body differs from the one in the path; a reference cannot be changed.");
        }

        if (creating && string.IsNullOrEmpty(reference) && !string.IsNullOrWhiteSpace(input.Name))
        {
            var stem = References.Stem(input.Name);
            reference = References.Unique(stem, await rules.ReferencesStartingWithAsync(table, stem, ct));
        }

        RecordRules.CheckReference(reference, errors);
        var existing = string.IsNullOrEmpty(reference) ? null : await FindAsync(db, table, reference, ct);
        if (creating && existing is not null)
        {
            errors.Add("reference", $"A {Singular(kind)} with reference '{reference}' already exists.");
        }

        if (!creating && existing is null)
        {
            return TypedResults.NotFound();
        }

        if (kind == Kind.Variable && input.Value is null)
        {
            errors.Add("value", "A value is required.");
        }

        if (kind == Kind.Secret && (creating || input.Value is not null) && (input.Value is null || input.Value.Length < MinSecretLength))
        {
            errors.Add("value", $"A secret's value must be at least {MinSecretLength} characters long.");
        }

        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var actor = user.Login();
        object? stored = kind == Kind.Secret ? (input.Value is null ? null : protector.Protect(input.Value)) : input.Value;
        var valueColumn = kind == Kind.Secret ? "value_encrypted" : "value";
        var sql = creating
            ? $"INSERT INTO {table} (reference, name, {valueColumn}, created_by, updated_by) VALUES (@reference, @name, @stored, @actor, @actor)"
            : $"UPDATE {table} SET name = @name, {valueColumn} = COALESCE(@stored, {valueColumn}), updated_by = @actor, updated_at = now() WHERE reference = @reference";
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, new { reference, name = input.Name!.Trim(), stored, actor }, cancellationToken: ct));
        }

        await changes.PublishAsync(Singular(kind), reference!);
        var saved = (await FindAsync(db, table, reference!, ct))!;
        object view = kind == Kind.Variable ? ToVariable(saved) : ToSecret(saved);
        return creating ? TypedResults.Created($"/api/{table}/{reference}", view) : TypedResults.Ok(view);
    }

    private static async Task<IResult> DeleteAsync(Kind kind, string reference, NpgsqlDataSource db, ConfigChanges changes, CancellationToken ct)
    {
        var table = Table(kind);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var users = (await connection.QueryAsync<string>(new CommandDefinition(
            $"""
            SELECT 'webhook ' || reference FROM webhooks WHERE @reference = ANY({table})
            UNION ALL
            SELECT 'authenticator ' || reference FROM authenticators WHERE @reference = ANY({table})
            ORDER BY 1
            """, new { reference }, transaction, cancellationToken: ct))).AsList();
        if (users.Count > 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"The {Singular(kind)} is in use",
                detail: $"The {Singular(kind)} '{reference}' is used by: {string.Join(", ", users)}.");
        }

        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM {table} WHERE reference = @reference", new { reference }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        if (deleted == 0)
        {
            return TypedResults.NotFound();
        }

        await changes.PublishAsync(Singular(kind), reference);
        return TypedResults.NoContent();
    }
}
