using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Observability.Tracing;

/// <summary>
/// Traces (<c>Observability:Tracing</c>), and the standard variables that configure their export:
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>_TRACES_ENDPOINT</c>), <c>OTEL_TRACES_SAMPLER</c> and
/// <c>OTEL_TRACES_SAMPLER_ARG</c>, read here once. The SDK reads the rest itself
/// (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, headers, timeouts); <c>OTEL_SERVICE_NAME</c> and
/// <c>OTEL_RESOURCE_ATTRIBUTES</c> are the <see cref="ServiceIdentity"/>'s.
/// </summary>
public sealed class TracingOptions : IOptionsSection, IValidatableObject
{
    /// <inheritdoc />
    public static string SectionName => "Observability:Tracing";

    /// <summary>Off, or on without an endpoint: no span is recorded or exported. Trace context still
    /// propagates, so logs keep their trace ids and responses their traceresponse header.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>From <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, at the root of configuration.</summary>
    [RootKey("OTEL_EXPORTER_OTLP_ENDPOINT")]
    public string? OtlpEndpoint { get; internal set; }

    /// <summary>From <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>, at the root of configuration.</summary>
    [RootKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")]
    public string? OtlpTracesEndpoint { get; internal set; }

    /// <summary>The sampler's name, as the specification spells it (default <c>parentbased_always_on</c>).</summary>
    [RootKey(SamplerSettings.SamplerKey)]
    public string? Sampler { get; internal set; }

    /// <summary>The sampler's argument: the ratio of <c>traceidratio</c> samplers (default 1.0).</summary>
    [RootKey(SamplerSettings.ArgumentKey)]
    public string? SamplerArgument { get; internal set; }

    /// <summary>Whether spans are recorded and exported: tracing on and an OTLP endpoint configured.</summary>
    internal bool Exports => Enabled && !(string.IsNullOrWhiteSpace(OtlpEndpoint) && string.IsNullOrWhiteSpace(OtlpTracesEndpoint));

    /// <summary>Unlike the SDK, which falls back silently, an unknown sampler stops the service at start.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Enabled && SamplerSettings.Error(Sampler, SamplerArgument) is var (member, message)
            ? [new ValidationResult(message, [member])]
            : [];
}
