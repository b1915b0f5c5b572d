namespace MonitoredService.InProcess.Tests.Tracing;

/// <summary>
/// Hosts that record traces run one at a time and alone: ActivityListeners are process-wide, so a
/// host's sampler would otherwise record (and export) the requests of another host in the process.
/// In production there is one host per process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingCollection
{
    public const string Name = "recorded traces";
}
