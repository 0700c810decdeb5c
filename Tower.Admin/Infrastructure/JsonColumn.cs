using System.Data;
using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using Tower.Contracts;

namespace Tower.Admin.Infrastructure;

/// <summary>
/// Maps a record to a <c>jsonb</c> column in the API's JSON shape (snake_case), both ways, for
/// Dapper: the stored object is what a GET shows.
/// </summary>
public sealed class JsonColumn<T> : SqlMapper.TypeHandler<T?> where T : class
{
    public override T? Parse(object value) => value switch
    {
        string text => JsonSerializer.Deserialize<T>(text, TowerJson.Options),
        DBNull => null,
        // Never read as "none": a verifier or a limit that silently vanished would let calls through.
        _ => throw new InvalidOperationException($"A {typeof(T).Name} column held a {value.GetType().Name}, not JSON text."),
    };

    public override void SetValue(IDbDataParameter parameter, T? value)
    {
        parameter.Value = value is null ? DBNull.Value : JsonSerializer.Serialize(value, TowerJson.Options);
        if (parameter is NpgsqlParameter npgsql)
        {
            npgsql.NpgsqlDbType = NpgsqlDbType.Jsonb;
        }
    }
}
