using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Settings;

namespace MonitoredService.FaultInjection;

/// <summary>
/// Opt-in faults on /api/* for demos and end-to-end alert tests (<c>FaultInjection</c>).
/// Off by default; configuration only (no endpoint can switch it on).
/// </summary>
public sealed class FaultInjectionOptions : IOptionsSection
{
    public static string SectionName => "FaultInjection";

    /// <summary>Share of /api/* requests answered 500 (0 to 1).</summary>
    [Range(0.0, 1.0)]
    public double ErrorRate { get; set; }

    /// <summary>Latency added to every /api/* request, in milliseconds (0 to 60000).</summary>
    [Range(0, 60_000)]
    public int LatencyMs { get; set; }

    public bool IsEnabled => ErrorRate > 0 || LatencyMs > 0;
}
