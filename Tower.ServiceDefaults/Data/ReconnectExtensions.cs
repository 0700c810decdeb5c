using Npgsql;

namespace Microsoft.Extensions.Hosting;

public static class ReconnectExtensions
{
    /// <summary>
    /// Runs a read once more on fresh connections when it failed on a connection that PostgreSQL
    /// closed (after a restart, every pooled connection is dead until used): the pool is cleared
    /// and the caller never sees the stale connection.
    /// </summary>
    public static async Task<T> WithReconnectAsync<T>(this NpgsqlDataSource dataSource, Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (NpgsqlException exception) when (exception.IsTransient || exception.InnerException is IOException or System.Net.Sockets.SocketException)
        {
            dataSource.Clear();
            return await read();
        }
    }
}
