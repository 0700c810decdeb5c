using System.Data;
using Dapper;
using Npgsql;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// The request's connection to Admin's database, opened on first use and shared by the stores
/// and rules of the request, so that a YAML import runs every check and every write inside one
/// transaction (<see cref="BeginAsync"/>): what it validates against is what it commits.
/// </summary>
public sealed class AdminDb(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

    public async Task<List<T>> QueryAsync<T>(string sql, object? parameters, CancellationToken ct) =>
        (await (await OpenAsync(ct)).QueryAsync<T>(Command(sql, parameters, ct))).AsList();

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? parameters, CancellationToken ct) =>
        await (await OpenAsync(ct)).QuerySingleOrDefaultAsync<T>(Command(sql, parameters, ct));

    public async Task<T?> ScalarAsync<T>(string sql, object? parameters, CancellationToken ct) =>
        await (await OpenAsync(ct)).ExecuteScalarAsync<T>(Command(sql, parameters, ct));

    public async Task<int> ExecuteAsync(string sql, object? parameters, CancellationToken ct) =>
        await (await OpenAsync(ct)).ExecuteAsync(Command(sql, parameters, ct));

    /// <summary>
    /// Starts the transaction every later statement of this request runs in, until the returned
    /// scope is committed or disposed (which rolls back what was not committed).
    /// </summary>
    public async Task<Scope> BeginAsync(IsolationLevel isolation, CancellationToken ct)
    {
        if (_transaction is not null)
        {
            throw new InvalidOperationException("A transaction is already open on this request's connection.");
        }

        _transaction = await (await OpenAsync(ct)).BeginTransactionAsync(isolation, ct);
        return new Scope(this, _transaction);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct) =>
        _connection ??= await dataSource.OpenConnectionAsync(ct);

    private CommandDefinition Command(string sql, object? parameters, CancellationToken ct) =>
        new(sql, parameters, _transaction, cancellationToken: ct);

    public sealed class Scope(AdminDb db, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public Task CommitAsync(CancellationToken ct) => transaction.CommitAsync(ct);

        public async ValueTask DisposeAsync()
        {
            db._transaction = null;
            await transaction.DisposeAsync();
        }
    }
}
