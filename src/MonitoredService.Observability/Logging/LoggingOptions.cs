using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Observability.Logging;

/// <summary>Structured logs (<c>Observability:Logging</c>); levels are Serilog's (<c>Serilog:MinimumLevel</c>).</summary>
public sealed class LoggingOptions : IOptionsSection
{
    /// <inheritdoc />
    public static string SectionName => "Observability:Logging";

    /// <summary>One completion event per request (probes and scrapes at Debug). Off: none.</summary>
    public bool RequestLogging { get; set; } = true;

    /// <summary>Events buffered for stdout; beyond it events are dropped and counted, never blocking a request.</summary>
    [Range(100, 1_000_000)]
    public int ConsoleQueueLimit { get; set; } = 10_000;
}
