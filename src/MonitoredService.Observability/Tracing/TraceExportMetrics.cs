using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using Microsoft.Extensions.Hosting;
using MonitoredService.Observability.Metrics;
using Prometheus;

namespace MonitoredService.Observability.Tracing;

/// <summary>
/// Spans that never reach the collector are counted, never lost silently. Two ways to lose them:
/// <list type="bullet">
/// <item>the batch processor's bounded queue is full (a slow or hung collector): the OpenTelemetry
/// SDK reports each dropped span on its <c>otel.sdk.processor.span.processed</c> counter with an
/// <c>error.type</c>, read here into <c>monitoredservice_trace_spans_dropped_total{reason}</c>;</item>
/// <item>an export fails (collector unreachable, or answering an error such as 429 or 503): the OTLP
/// exporter reports it on its EventSource, counted per failed export (one batch, up to 512 spans)
/// in <c>monitoredservice_trace_exports_failed_total{reason}</c>.</item>
/// </list>
/// Both sources are process-wide; a process runs one service. The exporter's events serve metrics
/// over OTLP too (<c>OTEL_METRICS_EXPORTER=otlp</c>): an event whose endpoint is the metrics one
/// (<c>/v1/metrics</c>) counts in <c>monitoredservice_metric_exports_failed_total{reason}</c> instead.
/// A failed metric export loses no count (the next one carries the cumulative totals), only resolution.
/// </summary>
internal sealed class TraceExportMetrics : IHostedService, IDisposable
{
    public const string SdkMeter = "otel.sdk.experimental";
    public const string ProcessedInstrument = "otel.sdk.processor.span.processed";
    public const string OtlpEventSource = "OpenTelemetry-Exporter-OpenTelemetryProtocol";

    private readonly Counter _spansDropped;
    private readonly Counter _exportsFailed;
    private readonly Counter _metricExportsFailed;
    private MeterListener? _meterListener;
    private ExporterEventListener? _eventListener;

    public TraceExportMetrics(IMetricFactory factory)
    {
        _spansDropped = factory.CreateCounter(MetricNames.Prefix + "trace_spans_dropped_total",
            "Spans dropped before export, by reason: queue_full (the collector is slow or down), already_shutdown.", ["reason"]);
        _exportsFailed = factory.CreateCounter(MetricNames.Prefix + "trace_exports_failed_total",
            "Span exports (batches of up to 512 spans) that failed, by reason: unreachable, http_error, grpc_error, other.", ["reason"]);
        _metricExportsFailed = factory.CreateCounter(MetricNames.Prefix + "metric_exports_failed_total",
            "Metric exports over OTLP that failed, by reason: unreachable, http_error, grpc_error, other.", ["reason"]);
        _spansDropped.WithLabels("queue_full").IncTo(0);
        _exportsFailed.WithLabels("unreachable").IncTo(0);
        _exportsFailed.WithLabels("http_error").IncTo(0);
    }

    /// <summary>Whether spans are exported at all (otherwise the span counters stay at zero and the SDK's meter is not read).</summary>
    public bool Listening { get; init; }

    /// <summary>Whether metrics are exported over OTLP (otherwise their counter stays at zero).</summary>
    public bool ListeningToMetrics { get; init; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (ListeningToMetrics)
        {
            _metricExportsFailed.WithLabels("unreachable").IncTo(0);
        }

        if (Listening || ListeningToMetrics)
        {
            _eventListener = new ExporterEventListener((metrics, reason) => (metrics ? _metricExportsFailed : _exportsFailed).WithLabels(reason).Inc());
        }

        if (!Listening)
        {
            return Task.CompletedTask;
        }

        _meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SdkMeter && instrument.Name == ProcessedInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<long>((_, value, tags, _) => OnProcessed(value, tags));
        _meterListener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _meterListener?.Dispose();
        _eventListener?.Dispose();
    }

    private void OnProcessed(long count, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "error.type" && tag.Value is string reason)
            {
                _spansDropped.WithLabels(reason).Inc(count);
            }
        }
    }

    /// <summary>The OTLP exporter's error events, each one a failed export; the first payload is the endpoint.</summary>
    private sealed class ExporterEventListener(Action<bool, string> failed) : EventListener
    {
        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == OtlpEventSource)
            {
                EnableEvents(eventSource, EventLevel.Error);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.Level is EventLevel.Error or EventLevel.Critical)
            {
                var metrics = eventData.Payload is [string endpoint, ..] && endpoint.Contains("metrics", StringComparison.OrdinalIgnoreCase);
                failed(metrics, eventData.EventName switch
                {
                    "FailedToReachCollector" => "unreachable",
                    "HttpRequestFailed" => "http_error",
                    "GrpcRequestFailed" => "grpc_error",
                    _ => "other",
                });
            }
        }
    }
}
