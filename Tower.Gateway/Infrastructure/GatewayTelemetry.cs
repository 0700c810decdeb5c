using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tower.Gateway.Infrastructure;

/// <summary>The gateway's own trace source and meter, both named <c>Tower.Gateway</c>.</summary>
internal static class GatewayTelemetry
{
    public const string Name = "Tower.Gateway";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Calls =
        Meter.CreateCounter<long>("tower.gateway.calls", unit: "{call}", description: "Webhook calls answered, by endpoint and status.");

    public static readonly Histogram<double> RecordWait =
        Meter.CreateHistogram<double>("tower.gateway.record.wait", unit: "s",
            description: "Time a call waits for its log record to be durable (broker confirmation or spill) before it is answered.");

    public static readonly Counter<long> RecordsSpilled =
        Meter.CreateCounter<long>("tower.gateway.records.spilled", unit: "{record}", description: "Call records written to the local spill while the broker did not confirm.");

    public static readonly Counter<long> RecordsLost =
        Meter.CreateCounter<long>("tower.gateway.records.lost", unit: "{record}",
            description: "Records of refused calls dropped because too many waited in memory while none could be made durable (spec §6).");

    public static readonly Counter<long> PublishFailures =
        Meter.CreateCounter<long>("tower.gateway.records.publish_failures", unit: "{batch}", description: "Batches of call records the broker did not confirm in time.");

    public static readonly Counter<long> CallsLimited =
        Meter.CreateCounter<long>("tower.gateway.calls.limited", unit: "{call}",
            description: "Calls refused with 429 by traffic control (spec §10), by limit: rate_limit, max_concurrency, worker_share or lockout.");

    public static readonly Counter<long> Duplicates =
        Meter.CreateCounter<long>("tower.gateway.calls.duplicates", unit: "{call}",
            description: "Duplicate calls answered with their key's first answer again (dedup, spec §10).");

    public static readonly Counter<long> AsyncAccepted =
        Meter.CreateCounter<long>("tower.gateway.async.accepted", unit: "{call}", description: "Async calls accepted (202) and queued (spec §10).");

    public static readonly Counter<long> AsyncAttempts =
        Meter.CreateCounter<long>("tower.gateway.async.attempts", unit: "{attempt}",
            description: "Attempts of async calls run by this replica, by outcome: success, failed (to be retried) or dead (the last one failed).");

    public static readonly Histogram<double> CallDuration =
        Meter.CreateHistogram<double>("tower.gateway.call.duration", unit: "s", description: "Time from receiving a call to answering it.");
}
