using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Tower.Admin.Identity;

/// <summary>
/// <c>Authorization: Bearer &lt;api key&gt;</c>: the key's hash is looked up, compared in
/// constant time, and the caller becomes its user with the user's group as role.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, NpgsqlDataSource dataSource)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    private const string FindKey = """
        SELECT k.id AS Id, k.key_hash AS KeyHash, u.login AS Login, u."group" AS "Group"
        FROM api_keys k JOIN users u ON u.login = k.login
        WHERE k.key_hash = @hash
        """;

    // At most one write a minute per key, however busy it is.
    private const string MarkUsed =
        "UPDATE api_keys SET last_used_at = now() WHERE id = @id AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <api key>'.");
        }

        var hash = ApiKeys.Hash(header[7..].Trim());
        // The first query of every request: after a database restart it also clears the dead pooled connections.
        var found = await dataSource.WithReconnectAsync(async () =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(Context.RequestAborted);
            return await connection.QuerySingleOrDefaultAsync<KeyRow>(
                new CommandDefinition(FindKey, new { hash }, cancellationToken: Context.RequestAborted));
        });
        if (found is null || !CryptographicOperations.FixedTimeEquals(found.KeyHash, hash))
        {
            return AuthenticateResult.Fail("Unknown API key.");
        }

        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(Context.RequestAborted);
            await connection.ExecuteAsync(new CommandDefinition(MarkUsed, new { id = found.Id }, cancellationToken: Context.RequestAborted));
        }
        catch (NpgsqlException)
        {
            // When a key was last used is worth less than the request: it is written next time.
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, found.Login), new Claim(ClaimTypes.Role, found.Group)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private sealed record KeyRow
    {
        public Guid Id { get; init; }
        public byte[] KeyHash { get; init; } = [];
        public string Login { get; init; } = "";
        public string Group { get; init; } = "";
    }
}
