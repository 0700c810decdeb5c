using Npgsql;
using Tower.Logging.Calls;

namespace Tower.Unit.Tests;

/// <summary>
/// Which refusals of PostgreSQL are a record's fault (stored alone, simplified, at last set
/// aside) and which are the database's state (every record waits and is retried).
/// </summary>
public sealed class StoreErrorKindsTests
{
    private static PostgresException Refusal(string sqlState) => new("refused", "ERROR", "ERROR", sqlState);

    [Theory]
    [InlineData(PostgresErrorCodes.InvalidTextRepresentation)]
    [InlineData(PostgresErrorCodes.UntranslatableCharacter)]
    [InlineData(PostgresErrorCodes.CharacterNotInRepertoire)]
    [InlineData(PostgresErrorCodes.NotNullViolation)]
    [InlineData(PostgresErrorCodes.ProgramLimitExceeded)]
    public void Errors_in_a_records_data_are_the_records_fault(string sqlState) =>
        Assert.True(WebhookCallsConsumer.IsRecordError(Refusal(sqlState)));

    [Theory]
    [InlineData(PostgresErrorCodes.ReadOnlySqlTransaction)]
    [InlineData(PostgresErrorCodes.InsufficientPrivilege)]
    [InlineData(PostgresErrorCodes.DiskFull)]
    [InlineData(PostgresErrorCodes.UndefinedTable)]
    [InlineData(PostgresErrorCodes.InternalError)]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    public void Refusals_of_every_write_are_not_blamed_on_the_records(string sqlState) =>
        Assert.False(WebhookCallsConsumer.IsRecordError(Refusal(sqlState)));
}
