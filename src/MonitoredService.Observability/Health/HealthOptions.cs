using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Observability.Health;

/// <summary>How dependency checks behave under probes (<c>Observability:Health</c>).</summary>
public sealed class HealthOptions : IOptionsSection
{
    /// <inheritdoc />
    public static string SectionName => "Observability:Health";

    /// <summary>
    /// Longest a dependency check may take before it reports failure. Keep it below the probes'
    /// <c>timeoutSeconds</c> so that a hung dependency gives a 503, not a probe timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a dependency check's result is reused: any number of concurrent probe requests cost
    /// at most one dependency query per window. Zero reuses only a query still in flight.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often every check runs in the background to refresh the health metrics (1 s at least).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PublishPeriod { get; set; } = TimeSpan.FromSeconds(10);
}
