using Dapper;
using Npgsql;
using Tower.Admin.Infrastructure;
using Tower.Scripting;
using Tower.Scripting.Hosting;

namespace Tower.Admin.Runs;

/// <summary>
/// Draft code of tests and replays (spec §12), kept by script identity so that Auth and Executor
/// fetch it as they fetch saved code; drafts older than a day are removed as new ones arrive.
/// </summary>
public sealed class ScriptDrafts(AdminDb db)
{
    public const string WebhookKind = "webhook";
    public const string AuthenticatorKind = "authenticator";

    /// <summary>Keeps the draft and returns its script identity.</summary>
    public async Task<string> SaveAsync(ScriptKind kind, string code, CancellationToken ct)
    {
        var hash = ScriptIdentity.Of(kind, code);
        await db.ExecuteAsync("""
            DELETE FROM script_drafts WHERE created_at < now() - interval '1 day';
            INSERT INTO script_drafts (code_hash, kind, code) VALUES (@hash, @kind, @code)
            ON CONFLICT (code_hash) DO UPDATE SET created_at = now();
            """, new { hash, kind = kind == ScriptKind.Authenticator ? AuthenticatorKind : WebhookKind, code }, ct);
        return hash;
    }

    public static async Task<ScriptSource?> FindAsync(NpgsqlConnection connection, string hash, CancellationToken ct)
    {
        var draft = await connection.QueryFirstOrDefaultAsync<DraftRow>(new CommandDefinition(
            "SELECT kind, code FROM script_drafts WHERE code_hash = @hash", new { hash }, cancellationToken: ct));
        return draft is null ? null : new ScriptSource(draft.Kind == AuthenticatorKind ? ScriptKind.Authenticator : ScriptKind.Webhook, draft.Code);
    }

    private sealed record DraftRow
    {
        public string Kind { get; init; } = "";
        public string Code { get; init; } = "";
    }
}
