
namespace Tower.AppHost.Infrastructure;

/// <summary>Marks a process the launcher restarts when it exits without being asked to (<see cref="ProcessSupervisor"/>).</summary>
internal sealed class SupervisedAnnotation : IResourceAnnotation;
