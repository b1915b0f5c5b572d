using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Observability.Metrics;

/// <summary>
/// Metrics over OTLP, besides /metrics, opt-in: <c>OTEL_METRICS_EXPORTER=otlp</c> (or
/// <c>prometheus,otlp</c>; /metrics is served either way). The SDK reads the rest itself:
/// <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, protocol,
/// headers, timeout, and <c>OTEL_METRIC_EXPORT_INTERVAL</c> (60 s by default).
/// </summary>
public sealed class OtlpMetricsOptions : IOptionsSection, IValidatableObject
{
    private static readonly string[] Known = ["otlp", "prometheus", "none"];

    /// <inheritdoc />
    public static string SectionName => "Observability:Metrics:Otlp";

    /// <summary>From <c>OTEL_METRICS_EXPORTER</c>, at the root of configuration.</summary>
    [RootKey("OTEL_METRICS_EXPORTER")]
    public string? Exporter { get; internal set; }

    internal bool Exports => Exporters.Contains("otlp");

    private IEnumerable<string> Exporters =>
        (Exporter ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(e => e.ToLowerInvariant());

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Exporters.Where(exporter => !Known.Contains(exporter))
            .Select(exporter => new ValidationResult($"'{exporter}' is not a metrics exporter here: otlp, prometheus or none.", [nameof(Exporter)]));
}
