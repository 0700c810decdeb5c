using Tower.Contracts.Runs;

namespace Tower.Admin.Runs;

/// <summary>A replay's answer (spec §12): how the logged call ended, and how it ends now, side by side.</summary>
public sealed record ReplayAnswer(RunResult Original, RunResult Replay);
