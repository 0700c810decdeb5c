namespace Tower.Gateway.Dedup;

/// <summary>The dedup store could not be reached or did not answer in time.</summary>
public sealed class DedupUnavailableException(string message, Exception? inner) : Exception(message, inner);
