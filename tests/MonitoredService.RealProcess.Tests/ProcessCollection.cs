namespace MonitoredService.RealProcess.Tests;

/// <summary>Real-process tests run one at a time and alone, so that their timings see an idle machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "real process";
}
