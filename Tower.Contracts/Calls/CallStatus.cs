namespace Tower.Contracts.Calls;

public static class CallStatus
{
    public const string Success = "success";
    public const string Failed = "failed";
    public const string Skipped = "skipped";

    /// <summary>An accepted async call: its code runs in the attempts that follow (spec §10).</summary>
    public const string Queued = "queued";
}
