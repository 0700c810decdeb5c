using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Tower.Admin.Infrastructure;
using Tower.Admin.Runs;
using Tower.Contracts.Configuration;
using Tower.Scripting;
using Tower.Scripting.Hosting;

namespace Tower.Admin.Internal;

/// <summary>Endpoints for other Tower services only; each requires the service credential.</summary>
internal static class InternalApi
{
    public static RouteGroupBuilder MapInternalApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal").RequireServiceCredential().ExcludeFromDescription();
        group.MapGet("/snapshot", SnapshotAsync);
        group.MapGet("/scripts/{hash}", ScriptAsync);
        return group;
    }

    /// <summary>Everything the gateway holds in memory.</summary>
    private static async Task<Ok<ConfigSnapshot>> SnapshotAsync(NpgsqlDataSource dataSource, SecretProtector protector, CancellationToken cancellationToken) =>
        TypedResults.Ok(await SnapshotReader.ReadAsync(dataSource, protector, onlyWebhook: null, cancellationToken));

    /// <summary>The text of the script stored under this hash, for Auth and Executor on a cache miss.</summary>
    private static async Task<Results<Ok<ScriptSource>, NotFound>> ScriptAsync(string hash, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var webhookCode = await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(
            "SELECT code FROM webhooks WHERE code_hash = @hash LIMIT 1", new { hash }, cancellationToken: cancellationToken));
        if (webhookCode is not null)
        {
            return TypedResults.Ok(new ScriptSource(ScriptKind.Webhook, webhookCode));
        }

        var authenticatorCode = await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(
            "SELECT code FROM authenticators WHERE code_hash = @hash LIMIT 1", new { hash }, cancellationToken: cancellationToken));
        if (authenticatorCode is not null)
        {
            return TypedResults.Ok(new ScriptSource(ScriptKind.Authenticator, authenticatorCode));
        }

        // Draft code of a test or replay (spec §12).
        return await ScriptDrafts.FindAsync(connection, hash, cancellationToken) is { } draft ? TypedResults.Ok(draft) : TypedResults.NotFound();
    }
}
