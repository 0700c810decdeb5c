namespace Tower.Faults;

/// <summary>
/// One fault scenario: load on a webhook, a fault injected after a few seconds of it, the load
/// going on after the fault cleared, and what the invariants may expect of it.
/// </summary>
/// <param name="Webhook">"standard" (a short script) or "slow" (3 s of CPU).</param>
/// <param name="GatewayDown">The gateway itself is down for a while: transport errors are allowed then.</param>
/// <param name="CallersAbort">Callers give up before the answer (their timeout): those calls must be recorded with 499.</param>
/// <param name="BrokerFault">The broker is down for a while: the spill must be empty 30 s after it returns.</param>
/// <param name="ConfigAfter">A configuration change must be in force within 1 s once the fault cleared.</param>
/// <param name="Cleanup">Undoes what the fault left (e.g. a mount) once the invariants are checked.</param>
internal sealed record Scenario(
    string Id,
    string Fault,
    double Rate,
    Func<FaultSystem, Task> Inject,
    string Webhook = "standard",
    TimeSpan? CallerTimeout = null,
    bool GatewayDown = false,
    bool CallersAbort = false,
    bool BrokerFault = false,
    bool ConfigAfter = false,
    Func<FaultSystem, Task>? Cleanup = null);
