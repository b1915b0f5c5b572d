using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Observability.Logging.Otlp;

/// <summary>
/// Logs over OTLP (<c>Observability:Logging:Otlp</c>), opt-in with the standard variables:
/// <c>OTEL_LOGS_EXPORTER=otlp</c>, the endpoint from <c>OTEL_EXPORTER_OTLP_LOGS_ENDPOINT</c> (used as
/// is) or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (+ <c>/v1/logs</c>), headers from
/// <c>OTEL_EXPORTER_OTLP_LOGS_HEADERS</c> or <c>OTEL_EXPORTER_OTLP_HEADERS</c>, the timeout from
/// <c>OTEL_EXPORTER_OTLP_LOGS_TIMEOUT</c> or <c>OTEL_EXPORTER_OTLP_TIMEOUT</c> (milliseconds), as the
/// specification defines them. The protocol is <c>http/protobuf</c>: the one whose outcome the
/// service can count per record (<see cref="OtlpExportHandler"/>); any other stops the start.
/// </summary>
public sealed class OtlpLogOptions : IOptionsSection, IValidatableObject
{
    internal const string HttpProtobuf = "http/protobuf";

    /// <inheritdoc />
    public static string SectionName => "Observability:Logging:Otlp";

    /// <summary>From <c>OTEL_LOGS_EXPORTER</c>, at the root of configuration.</summary>
    [RootKey("OTEL_LOGS_EXPORTER")]
    public string? Exporter { get; internal set; }

    /// <summary>From <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, at the root of configuration.</summary>
    [RootKey("OTEL_EXPORTER_OTLP_ENDPOINT")]
    public string? Endpoint { get; internal set; }

    /// <summary>From <c>OTEL_EXPORTER_OTLP_LOGS_ENDPOINT</c>, at the root of configuration.</summary>
    [RootKey("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")]
    public string? LogsEndpoint { get; internal set; }

    /// <summary>From <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, at the root of configuration.</summary>
    [RootKey("OTEL_EXPORTER_OTLP_PROTOCOL")]
    public string? Protocol { get; internal set; }

    /// <summary>From <c>OTEL_EXPORTER_OTLP_LOGS_PROTOCOL</c>, at the root of configuration.</summary>
    [RootKey("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL")]
    public string? LogsProtocol { get; internal set; }

    /// <summary><c>key=value,…</c>, values percent-encoded; often a secret (an API key): never logged.</summary>
    [RootKey("OTEL_EXPORTER_OTLP_HEADERS")]
    public string? Headers { get; internal set; }

    /// <summary>From <c>OTEL_EXPORTER_OTLP_LOGS_HEADERS</c>, at the root of configuration.</summary>
    [RootKey("OTEL_EXPORTER_OTLP_LOGS_HEADERS")]
    public string? LogsHeaders { get; internal set; }

    /// <summary>From <c>OTEL_EXPORTER_OTLP_TIMEOUT</c>, at the root of configuration.</summary>
    [RootKey("OTEL_EXPORTER_OTLP_TIMEOUT")]
    public string? Timeout { get; internal set; }

    /// <summary>From <c>OTEL_EXPORTER_OTLP_LOGS_TIMEOUT</c>, at the root of configuration.</summary>
    [RootKey("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT")]
    public string? LogsTimeout { get; internal set; }

    /// <summary>Events waiting to be exported; beyond it, events are dropped and counted.</summary>
    [Range(1, 1_000_000)]
    public int QueueLimit { get; set; } = 10_000;

    /// <summary>Log records per export request, at most.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 512;

    /// <summary>Longest an event waits for its batch to fill.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest the service waits at shutdown to export what is queued.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal bool Exports => string.Equals(Exporter?.Trim(), "otlp", StringComparison.OrdinalIgnoreCase);

    /// <summary>The URL the batches are posted to.</summary>
    internal Uri ResolvedEndpoint => NonEmpty(LogsEndpoint) is { } logs
        ? new Uri(logs)
        : new Uri((NonEmpty(Endpoint) ?? "http://localhost:4318").TrimEnd('/') + "/v1/logs");

    internal string ResolvedProtocol => NonEmpty(LogsProtocol) ?? NonEmpty(Protocol) ?? HttpProtobuf;

    internal string? ResolvedHeaders => NonEmpty(LogsHeaders) ?? NonEmpty(Headers);

    /// <summary>Each export's bound (the specification's default: 10 s).</summary>
    internal TimeSpan ResolvedTimeout => int.TryParse(NonEmpty(LogsTimeout) ?? NonEmpty(Timeout), out var milliseconds) && milliseconds > 0
        ? TimeSpan.FromMilliseconds(milliseconds)
        : TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NonEmpty(Exporter) is { } exporter && !Exports && !string.Equals(exporter, "none", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"'{exporter}' is not a logs exporter here: otlp or none.", [nameof(Exporter)]);
        }

        if (!Exports)
        {
            yield break;
        }

        if (ResolvedProtocol != HttpProtobuf)
        {
            yield return new ValidationResult(
                $"Logs are exported over {HttpProtobuf} only (set OTEL_EXPORTER_OTLP_LOGS_PROTOCOL={HttpProtobuf}, and the collector's HTTP port in OTEL_EXPORTER_OTLP_LOGS_ENDPOINT).",
                [NonEmpty(LogsProtocol) is null ? nameof(Protocol) : nameof(LogsProtocol)]);
        }

        var endpoint = NonEmpty(LogsEndpoint) ?? NonEmpty(Endpoint);
        if (endpoint is not null && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return new ValidationResult($"'{endpoint}' is not an http(s) URL.", [NonEmpty(LogsEndpoint) is null ? nameof(Endpoint) : nameof(LogsEndpoint)]);
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
