namespace Tower.Faults;

/// <summary>
/// One request of an open-loop load: when it was due, its unique tag (in the query, so that a
/// request without an answer can still be found in the call log), and what came back. Status
/// is 0 for a transport error and -1 when the caller gave up (its own timeout).
/// </summary>
internal sealed record Request(string Tag, DateTime Due, int Status, Guid? CallId, string Message, double LatencyMs);
