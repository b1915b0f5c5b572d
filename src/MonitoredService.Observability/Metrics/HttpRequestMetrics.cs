using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using MonitoredService.Observability.Http;
using Prometheus;

namespace MonitoredService.Observability.Metrics;

/// <summary>
/// HTTP request metrics under prometheus-net's usual names, with the labels an operator needs:
/// <c>code</c>, <c>method</c> and <c>endpoint</c> (the route template and folded method of the
/// request's <see cref="RequestFacts"/>), timed from the facts' start. One middleware with the labelled children cached per label
/// set: prometheus-net's own <c>UseHttpMetrics</c> is four middlewares that copy the route values
/// and look the labels up again in each, which cost a measured 2–3 % of throughput (docs/benchmarks.md).
/// </summary>
internal sealed class HttpRequestMetrics(IMetricFactory factory)
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
    private readonly ConcurrentDictionary<(string Method, string Route), Gauge.Child> _running = new();
    private readonly ConcurrentDictionary<(int Code, string Method, string Route), Completed> _completed = new();

    /// <summary>
    /// Counts the request in progress, then once completed by the status the client got
    /// (<see cref="ResponseStatus"/>). Scrapes are not counted: the scraper has its own metrics.
    /// </summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var facts = RequestFacts.Of(context);
        if (facts.Kind == RequestKind.Scrape)
        {
            await next(context);
            return;
        }

        var (method, route) = (facts.Method, facts.Route);
        var running = _running.GetOrAdd((method, route), static (key, gauge) => gauge.WithLabels(key.Method, key.Route), _inProgress);
        running.Inc();
        var failed = true;
        try
        {
            await next(context);
            failed = false;
        }
        finally
        {
            running.Dec();
            var code = ResponseStatus.Of(context, threw: failed);
            var completed = _completed.GetOrAdd((code, method, route), static (key, metrics) => new Completed(
                metrics._requests.WithLabels(key.Code.ToString(System.Globalization.CultureInfo.InvariantCulture), key.Method, key.Route),
                metrics._duration.WithLabels(key.Code.ToString(System.Globalization.CultureInfo.InvariantCulture), key.Method, key.Route)), this);
            completed.Requests.Inc(Exemplar.None); // exemplars go on the duration, where a slow request links to its trace
            completed.Duration.Observe(facts.Elapsed.TotalSeconds); // exemplar: the factory's (recorded traces only)
        }
    }

    private sealed record Completed(Counter.Child Requests, Histogram.Child Duration);
}
