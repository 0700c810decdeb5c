namespace Tower.Admin.Runs;

/// <summary>The answer of <c>POST /api/webhook-logs/{id}/retry</c>: 202 <c>{"message": "Accepted"}</c> (spec §14).</summary>
public sealed record RetryAnswer(string Message);
