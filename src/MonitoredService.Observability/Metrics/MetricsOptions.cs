using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Observability.Metrics;

/// <summary>Prometheus metrics (<c>Observability:Metrics</c>).</summary>
public sealed class MetricsOptions : IOptionsSection
{
    /// <inheritdoc />
    public static string SectionName => "Observability:Metrics";

    /// <summary>Off: no /metrics, no HTTP metrics middleware, no runtime or health-check collection.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Serve /metrics on this port (a separate listener) instead of the application port.</summary>
    [Range(1, 65535)]
    public int? Port { get; set; }

    /// <summary>The interface the separate metrics listener binds: "+" for all, or an address.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Host { get; set; } = "+";
}
