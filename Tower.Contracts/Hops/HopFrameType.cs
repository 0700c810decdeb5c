namespace Tower.Contracts.Hops;

/// <summary>What a frame of the script hop carries.</summary>
public enum HopFrameType : byte
{
    /// <summary>Gateway to service, first on every connection: the service credential (UTF-8).</summary>
    Hello = 1,

    /// <summary>Gateway to service: a trace parent (a length byte, then ASCII; 0 for none), then an encoded call.</summary>
    Run = 2,

    /// <summary>Service to gateway: the encoded outcome of the call with the same id.</summary>
    Outcome = 3,

    /// <summary>Service to gateway: the call with the same id could not be run (UTF-8 reason).</summary>
    Fault = 4,

    /// <summary>
    /// Gateway to service: the gateway no longer waits for the call with the same id (its caller
    /// left, or its deadline passed); a call still waiting for a worker is dropped, never run.
    /// </summary>
    Cancel = 5,
}
