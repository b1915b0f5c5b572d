using BenchmarkDotNet.Attributes;
using MonitoredService.Observability.Metrics;
using Prometheus;

namespace MonitoredService.Benchmarks;

/// <summary>
/// The metrics work of one request, as the HTTP metrics middleware does it: a counter and a
/// histogram observation by (code, method, endpoint), the in-progress gauge up and down.
/// </summary>
public class PerRequestMetrics
{
    private Counter _requests = null!;
    private Histogram _duration = null!;
    private Gauge _inProgress = null!;

    [GlobalSetup]
    public void Setup()
    {
        var factory = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry());
        _requests = factory.CreateCounter("http_requests_received_total", "requests", ["code", "method", "endpoint"]);
        _duration = factory.CreateHistogram("http_request_duration_seconds", "duration", ["code", "method", "endpoint"],
            new HistogramConfiguration { Buckets = HttpRequestMetrics.DurationBuckets });
        _inProgress = factory.CreateGauge("http_requests_in_progress", "in progress", ["method", "endpoint"]);
    }

    [Benchmark(Description = "HTTP metrics of one request (in-progress ±1, count, duration)")]
    public void ObserveRequest()
    {
        var inProgress = _inProgress.WithLabels("GET", "/api/items/{id}");
        inProgress.Inc();
        _requests.WithLabels("200", "GET", "/api/items/{id}").Inc();
        _duration.WithLabels("200", "GET", "/api/items/{id}").Observe(0.00073);
        inProgress.Dec();
    }
}
