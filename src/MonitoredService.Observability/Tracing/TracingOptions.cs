using MonitoredService.Observability.Options;

namespace MonitoredService.Observability.Tracing;

/// <summary>
/// Traces (<c>Observability:Tracing</c>). Export is configured by the standard variables:
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>_TRACES_ENDPOINT</c>), <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>,
/// <c>OTEL_TRACES_SAMPLER</c>, <c>OTEL_TRACES_SAMPLER_ARG</c>, <c>OTEL_SERVICE_NAME</c>,
/// <c>OTEL_RESOURCE_ATTRIBUTES</c>.
/// </summary>
public sealed class TracingOptions : IOptionsSection
{
    public static string SectionName => "Observability:Tracing";

    /// <summary>Off, or on without an endpoint: no span is recorded or exported. Trace context still
    /// propagates, so logs keep their trace ids and responses their traceresponse header.</summary>
    public bool Enabled { get; set; } = true;
}
