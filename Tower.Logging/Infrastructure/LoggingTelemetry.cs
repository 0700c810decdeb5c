using System.Diagnostics.Metrics;

namespace Tower.Logging;

/// <summary>The Logging service's own trace source and meter, both named <c>Tower.Logging</c>.</summary>
internal static class LoggingTelemetry
{
    public const string Name = "Tower.Logging";

    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> RecordsStored =
        Meter.CreateCounter<long>("tower.logging.records_stored", unit: "{record}", description: "Call records written to the log store.");

    public static readonly Counter<long> RecordsDuplicate =
        Meter.CreateCounter<long>("tower.logging.records_duplicate", unit: "{record}", description: "Redelivered call records that were already stored.");

    public static readonly Counter<long> RecordsRejected =
        Meter.CreateCounter<long>("tower.logging.records_rejected", unit: "{record}", description: "Call records sent to the error queue.");

    public static readonly Counter<long> MessagesSetAside =
        Meter.CreateCounter<long>("tower.logging.messages_set_aside", unit: "{message}", description: "Gateway batches that could not be read, moved whole to the endpoint's error queue.");

    public static readonly Counter<long> StoreRefusals =
        Meter.CreateCounter<long>("tower.logging.store_refusals", unit: "{attempt}",
            description: "Attempts to store call records that PostgreSQL refused for a reason of its own state (read-only, permissions, disk full); the records are retried.");
}
