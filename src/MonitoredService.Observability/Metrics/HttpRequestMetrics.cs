using MonitoredService.Observability.Http;
using Prometheus;
using Prometheus.HttpMetrics;

namespace MonitoredService.Observability.Metrics;

/// <summary>
/// prometheus-net's HTTP metrics under their usual names, with the labels an operator needs:
/// <c>code</c>, <c>method</c> and <c>endpoint</c> (the route template, captured before the exception
/// handler clears it). The always-empty <c>controller</c>/<c>action</c> labels of MVC are dropped.
/// </summary>
internal sealed class HttpRequestMetrics(IMetricFactory factory)
{
    /// <summary>Prometheus' default buckets plus 1 ms and 2.5 ms: the SLO thresholds are bucket bounds.</summary>
    public static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private const string Endpoint = "endpoint";

    private readonly Counter _requests = factory.CreateCounter(
        "http_requests_received_total",
        "HTTP requests received, by status code, method and route template.",
        [HttpRequestLabelNames.Code, HttpRequestLabelNames.Method, Endpoint]);

    private readonly Histogram _duration = factory.CreateHistogram(
        "http_request_duration_seconds",
        "Duration of HTTP requests, by status code, method and route template.",
        [HttpRequestLabelNames.Code, HttpRequestLabelNames.Method, Endpoint],
        new HistogramConfiguration { Buckets = DurationBuckets });

    private readonly Gauge _inProgress = factory.CreateGauge(
        "http_requests_in_progress",
        "HTTP requests being processed, by method and route template.",
        [HttpRequestLabelNames.Method, Endpoint]);

    public void Configure(HttpMiddlewareExporterOptions options)
    {
        options.RequestCount.Counter = _requests;
        options.RequestDuration.Histogram = _duration;
        options.InProgress.Gauge = _inProgress;
        options.AddCustomLabel(Endpoint, context => RequestLabels.Of(context).Route);
        // Durations carry exemplars (recorded traces only: see the factory's ExemplarBehavior).
        options.RequestCount.ExemplarPredicate = _ => false;
    }
}
