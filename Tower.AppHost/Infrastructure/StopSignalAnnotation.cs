
namespace Tower.AppHost.Infrastructure;

/// <summary>
/// The signal a stop command sends a process besides the launcher's SIGTERM, for a server whose
/// SIGTERM stop waits on its clients (<see cref="StopSignals"/>): PostgreSQL's SIGTERM is a
/// "smart" shutdown that waits until every client has disconnected, and the launcher kills the
/// process 6 s later, leaving its data to crash recovery and its old backends in the new one's way.
/// </summary>
internal sealed class StopSignalAnnotation(int signal) : IResourceAnnotation
{
    /// <summary>SIGINT: PostgreSQL's "fast" shutdown (ends the sessions, then a clean checkpoint).</summary>
    public const int Interrupt = 2;

    public int Signal { get; } = signal;
}
