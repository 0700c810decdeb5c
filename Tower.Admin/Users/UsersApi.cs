using System.Security.Claims;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Npgsql;
using Tower.Admin.Identity;
using Tower.Admin.Infrastructure;

namespace Tower.Admin.Users;

/// <summary>
/// <c>/api/users</c> (root): users with one group each; keys stored only as hashes and shown once.
/// The last root user and any webhook's run-as user cannot be deleted (409).
/// </summary>
internal static partial class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").RequireAuthorization(Groups.RootPolicy).WithTags("Users");
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync);
        group.MapDelete("/{login}", DeleteAsync);
        group.MapPost("/{login}/keys", CreateKeyAsync);
        group.MapGet("/{login}/keys", ListKeysAsync);
        group.MapDelete("/{login}/keys/{id}", RevokeKeyAsync);
        return group;
    }

    private sealed record Row
    {
        public string Login { get; init; } = "";
        public string Group { get; init; } = "";
        public string CreatedBy { get; init; } = "";
        public DateTime CreatedAt { get; init; }
    }

    private static Task<Results<Ok<Page<UserView>>, ValidationProblem>> ListAsync(HttpRequest request, NpgsqlDataSource db, CancellationToken ct) =>
        Paging.ListAsync(request, async (after, limit) =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            return (IReadOnlyList<Row>)(await connection.QueryAsync<Row>(new CommandDefinition(
                """SELECT login, "group", created_by, created_at FROM users WHERE @after::text IS NULL OR login > @after ORDER BY login LIMIT @limit""",
                new { after, limit }, cancellationToken: ct))).AsList();
        }, row => row.Login, row => new UserView(row.Login, row.Group, row.CreatedBy, row.CreatedAt));

    private static async Task<Results<Created<CreatedUser>, ValidationProblem>> CreateAsync(
        UserInput input, ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(input.Login) || !LoginPattern().IsMatch(input.Login))
        {
            errors.Add("login", $"'{input.Login}' is not a valid login: use 1–64 lower-case letters, digits, '.', '_' or '-'.");
        }

        if (input.Group is null || !Groups.All.Contains(input.Group))
        {
            errors.Add("group", $"'{input.Group}' is not a group: use root, manager or user.");
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        if (!errors.Any && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM users WHERE login = @login)", new { login = input.Login }, cancellationToken: ct)))
        {
            errors.Add("login", $"A user with login '{input.Login}' already exists.");
        }

        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var key = ApiKeys.Generate();
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO users (login, "group", created_by) VALUES (@login, @group, @actor);
            INSERT INTO api_keys (id, login, key_hash, prefix) VALUES (@id, @login, @hash, @prefix);
            """,
            new { login = input.Login, group = input.Group, actor = user.Login(), id = Guid.CreateVersion7(), hash = ApiKeys.Hash(key), prefix = ApiKeys.PrefixOf(key) },
            transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return TypedResults.Created($"/api/users/{input.Login}", new CreatedUser(input.Login!, input.Group!, key));
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(
        string login, NpgsqlDataSource db, ConfigChanges changes, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
        var group = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            """SELECT "group" FROM users WHERE login = @login""", new { login }, transaction, cancellationToken: ct));
        if (group is null)
        {
            return TypedResults.NotFound();
        }

        var runAs = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT reference FROM webhooks WHERE run_as_user = @login ORDER BY reference", new { login }, transaction, cancellationToken: ct))).AsList();
        if (runAs.Count > 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The user runs webhooks",
                detail: $"User '{login}' is the run-as user of webhooks: {string.Join(", ", runAs)}.");
        }

        if (group == Groups.Root && await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                """SELECT count(*) FROM users WHERE "group" = 'root'""", transaction: transaction, cancellationToken: ct)) == 1)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The last root user",
                detail: $"User '{login}' is the last root user and cannot be deleted.");
        }

        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM users WHERE login = @login", new { login }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        await changes.PublishAsync("user", login);
        return TypedResults.NoContent();
    }

    /// <summary>Creates a key; <paramref name="body"/> is bound only so that a body with fields is refused.</summary>
    private static async Task<Results<Created<CreatedKey>, NotFound>> CreateKeyAsync(
        string login, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] KeyInput? body, NpgsqlDataSource db, CancellationToken ct)
    {
        var key = ApiKeys.Generate();
        var id = Guid.CreateVersion7();
        var prefix = ApiKeys.PrefixOf(key);
        await using var connection = await db.OpenConnectionAsync(ct);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_keys (id, login, key_hash, prefix) SELECT @id, login, @hash, @prefix FROM users WHERE login = @login",
            new { id, login, hash = ApiKeys.Hash(key), prefix }, cancellationToken: ct));
        return inserted == 1
            ? TypedResults.Created($"/api/users/{login}/keys/{id}", new CreatedKey(login, id, prefix, key))
            : TypedResults.NotFound();
    }

    private sealed record KeyRow
    {
        public Guid Id { get; init; }
        public string Prefix { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public DateTime? LastUsedAt { get; init; }
    }

    /// <summary>A user's keys, oldest first: id, prefix, when created and last used; never the key.</summary>
    private static async Task<Results<Ok<Page<KeyView>>, NotFound, ValidationProblem>> ListKeysAsync(
        string login, HttpRequest request, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM users WHERE login = @login)", new { login }, cancellationToken: ct)))
        {
            return TypedResults.NotFound();
        }

        var errors = new ValidationErrors();
        var (after, limit) = Paging.Read(request, errors);
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var rows = (await connection.QueryAsync<KeyRow>(new CommandDefinition(
            "SELECT id, prefix, created_at, last_used_at FROM api_keys WHERE login = @login AND (@after::uuid IS NULL OR id > @after) ORDER BY id LIMIT @limit",
            new { login, after = Guid.TryParse(after, out var key) ? key : (Guid?)null, limit = limit + 1 }, cancellationToken: ct))).AsList();
        return TypedResults.Ok(Paging.ToPage(rows, limit, row => row.Id.ToString(), row => new KeyView(row.Id, row.Prefix, row.CreatedAt, row.LastUsedAt)));
    }

    /// <summary>Revokes a key: it stops working at once. The last key of the last root user stays (409).</summary>
    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> RevokeKeyAsync(
        string login, string id, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var keyId))
        {
            return TypedResults.NotFound();
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
        var group = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            """SELECT u."group" FROM api_keys k JOIN users u ON u.login = k.login WHERE k.id = @keyId AND k.login = @login""",
            new { keyId, login }, transaction, cancellationToken: ct));
        if (group is null)
        {
            return TypedResults.NotFound();
        }

        if (group == Groups.Root && await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                """SELECT count(*) FROM api_keys k JOIN users u ON u.login = k.login WHERE u."group" = 'root'""",
                transaction: transaction, cancellationToken: ct)) == 1)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The last root key",
                detail: $"This is the last key of the last root user: revoking it would leave no one able to administer Tower. Create another root key first.");
        }

        try
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM api_keys WHERE id = @keyId", new { keyId }, transaction, cancellationToken: ct));
            await transaction.CommitAsync(ct);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.SerializationFailure)
        {
            // Another revocation ran at the same time: which of them may go is decided again on a new try.
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Keys changed meanwhile",
                detail: "Another change to API keys ran at the same time; try again.");
        }
        return TypedResults.NoContent();
    }

    [GeneratedRegex("^[a-z0-9._-]{1,64}$")]
    private static partial Regex LoginPattern();
}
