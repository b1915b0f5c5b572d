using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using MonitoredService.Observability.Http;
using Prometheus;

namespace MonitoredService.Observability.Metrics;

/// <summary>
/// HTTP request metrics under prometheus-net's usual names, with the labels an operator needs:
/// <c>code</c>, <c>method</c> and <c>endpoint</c> (the route template and folded method of the
/// request's <see cref="RequestFacts"/>), with the duration the facts settled. An observer of every
/// request with the labelled children cached per label set: prometheus-net's own
/// <c>UseHttpMetrics</c> is four middlewares that copy the route values and look the labels up again
/// in each, which cost a measured 2–3 % of throughput (docs/benchmarks.md).
/// </summary>
internal sealed class HttpRequestMetrics(IMetricFactory factory) : IRequestObserver
{
    /// <summary>Prometheus' default buckets plus 1 ms and 2.5 ms: the SLO thresholds are bucket bounds.</summary>
    public static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter _requests = factory.CreateCounter(
        "http_requests_received_total",
        "HTTP requests received, by status code, method and route template.",
        ["code", "method", "endpoint"]);

    private readonly Histogram _duration = factory.CreateHistogram(
        "http_request_duration_seconds",
        "Duration of HTTP requests, by status code, method and route template.",
        ["code", "method", "endpoint"],
        new HistogramConfiguration { Buckets = DurationBuckets });

    private readonly Gauge _inProgress = factory.CreateGauge(
        "http_requests_in_progress",
        "HTTP requests being processed, by method and route template.",
        ["method", "endpoint"]);

    // Bounded: routes are the app's templates, methods are folded (RequestFacts), codes are 3 digits.
    private readonly ConcurrentDictionary<(string Method, string Route), RouteSeries> _routes = new();

    /// <summary>Counts the request in progress. Scrapes are not counted: the scraper has its own metrics.</summary>
    public void OnStarted(HttpContext context, RequestFacts facts)
    {
        if (facts.Kind != RequestKind.Scrape)
        {
            Series(facts).Running.Inc();
        }
    }

    /// <summary>Counts the request by the status the client got, and its duration.</summary>
    public void OnCompleted(HttpContext context, RequestFacts facts)
    {
        if (facts.Kind == RequestKind.Scrape)
        {
            return;
        }

        var series = Series(facts);
        series.Running.Dec();
        var completed = series.Completed.GetOrAdd(facts.Status, static (code, series) => series.ForCode(code), series);
        completed.Requests.Inc(Exemplar.None); // exemplars go on the duration, where a slow request links to its trace
        completed.Duration.Observe(facts.Elapsed.TotalSeconds); // exemplar: the factory's (recorded traces only)
    }

    private RouteSeries Series(RequestFacts facts) =>
        _routes.GetOrAdd((facts.Method, facts.Route), static (key, metrics) => new RouteSeries(metrics, key.Method, key.Route), this);

    /// <summary>The series of one method and route: in progress, and by status code.</summary>
    private sealed class RouteSeries(HttpRequestMetrics metrics, string method, string route)
    {
        public Gauge.Child Running { get; } = metrics._inProgress.WithLabels(method, route);

        public ConcurrentDictionary<int, Completed> Completed { get; } = new();

        public Completed ForCode(int code)
        {
            var label = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new(metrics._requests.WithLabels(label, method, route), metrics._duration.WithLabels(label, method, route));
        }
    }

    private sealed record Completed(Counter.Child Requests, Histogram.Child Duration);
}
