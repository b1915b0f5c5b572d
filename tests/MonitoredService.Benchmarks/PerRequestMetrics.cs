using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using MonitoredService.Observability.Http;
using MonitoredService.Observability.Metrics;
using Prometheus;

namespace MonitoredService.Benchmarks;

/// <summary>
/// The metrics work of one request: our HTTP metrics observer at the start and end of a request
/// (in-progress ±1, count, duration, children cached per label set), and for comparison the same
/// three updates looked up by label values each time, as prometheus-net's middlewares do.
/// </summary>
public class PerRequestMetrics
{
    private static readonly RequestDelegate Nothing = _ => Task.CompletedTask;

    private HttpRequestMetrics _metrics = null!;
    private DefaultHttpContext _context = null!;
    private RequestFacts _facts = null!;
    private Counter _requests = null!;
    private Histogram _duration = null!;
    private Gauge _inProgress = null!;

    [GlobalSetup]
    public void Setup()
    {
        _metrics = new HttpRequestMetrics(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()));
        _context = new DefaultHttpContext();
        _context.Request.Method = HttpMethods.Get;
        _context.SetEndpoint(new RouteEndpoint(Nothing, RoutePatternFactory.Parse("/api/items/{id}"), 0, EndpointMetadataCollection.Empty, "item"));
        _facts = RequestFacts.Capture(_context); // as the request observation does, once per request
        _facts.Complete(StatusCodes.Status200OK);

        var factory = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry());
        _requests = factory.CreateCounter("http_requests_received_total", "requests", ["code", "method", "endpoint"]);
        _duration = factory.CreateHistogram("http_request_duration_seconds", "duration", ["code", "method", "endpoint"],
            new HistogramConfiguration { Buckets = HttpRequestMetrics.DurationBuckets });
        _inProgress = factory.CreateGauge("http_requests_in_progress", "in progress", ["method", "endpoint"]);
    }

    [Benchmark(Description = "HTTP metrics observer, one request (cached children)")]
    public void Observer()
    {
        _metrics.OnStarted(_context, _facts);
        _metrics.OnCompleted(_context, _facts);
    }

    [Benchmark(Description = "the same three updates, labels looked up each time")]
    public void LookedUpByLabels()
    {
        var inProgress = _inProgress.WithLabels("GET", "/api/items/{id}");
        inProgress.Inc();
        _requests.WithLabels("200", "GET", "/api/items/{id}").Inc();
        _duration.WithLabels("200", "GET", "/api/items/{id}").Observe(0.00073);
        inProgress.Dec();
    }
}
