using MonitoredService.Observability.Metrics;
using Prometheus;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// What happens to log events after they are written: shipped, queued, or dropped (and why), per
/// sink. Nothing is lost silently: <c>monitoredservice_log_events_dropped_total</c> counts every drop.
/// </summary>
internal sealed class LogShippingMetrics
{
    public const string Console = "console";
    public const string Elasticsearch = "elasticsearch";

    private readonly Counter _dropped;
    private readonly Counter _shipped;
    private readonly Gauge _queued;
    private Func<int>? _consoleQueue;

    public LogShippingMetrics(IMetricFactory factory, CollectorRegistry registry)
    {
        _dropped = factory.CreateCounter(MetricNames.Prefix + "log_events_dropped_total",
            "Log events dropped before reaching their sink, by sink and reason.", ["sink", "reason"]);
        _shipped = factory.CreateCounter(MetricNames.Prefix + "log_events_shipped_total",
            "Log events accepted by their sink's destination.", ["sink"]);
        _queued = factory.CreateGauge(MetricNames.Prefix + "log_queue_length",
            "Log events waiting in a sink's bounded queue.", ["sink"]);
        _dropped.WithLabels(Console, DropReason.QueueFull).IncTo(0);
        _dropped.WithLabels(Console, DropReason.Shutdown).IncTo(0);
        registry.AddBeforeCollectCallback(CollectConsole);
    }

    public void Dropped(string sink, string reason, int count = 1) => _dropped.WithLabels(sink, reason).Inc(count);

    public void Shipped(string sink, int count) => _shipped.WithLabels(sink).Inc(count);

    public void Queued(string sink, long count) => _queued.WithLabels(sink).Set(count);

    /// <summary>Creates the series of a sink at zero, so that increase() sees its first drop.</summary>
    public void Declare(string sink, params string[] reasons)
    {
        _shipped.WithLabels(sink).IncTo(0);
        _queued.WithLabels(sink).Set(0);
        foreach (var reason in reasons)
        {
            _dropped.WithLabels(sink, reason).IncTo(0);
        }
    }

    /// <summary>The stdout sink's queue, read at scrape time.</summary>
    internal void ObserveConsoleQueue(Func<int> queueLength) => _consoleQueue = queueLength;

    private void CollectConsole()
    {
        if (_consoleQueue is { } queueLength)
        {
            _queued.WithLabels(Console).Set(queueLength());
        }
    }

    public static class DropReason
    {
        /// <summary>The sink's bounded queue was full (the destination is slow or down).</summary>
        public const string QueueFull = "queue_full";

        /// <summary>The destination refused the event for good (a mapping error, 4xx).</summary>
        public const string Rejected = "rejected";

        /// <summary>The destination kept failing (5xx, 429, timeouts) past the last retry.</summary>
        public const string RetriesExhausted = "retries_exhausted";

        /// <summary>Still queued when the shutdown budget for flushing ran out.</summary>
        public const string Shutdown = "shutdown";
    }
}
