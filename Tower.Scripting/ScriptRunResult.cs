using Tower.Contracts.Scripts;

namespace Tower.Scripting;

/// <summary>How a run ended, and whether work the script started was still going when it ended.</summary>
/// <param name="LeftWorkBehind">True when the process that ran it must not serve another call.</param>
public sealed record ScriptRunResult(ScriptOutcome Outcome, bool LeftWorkBehind);
