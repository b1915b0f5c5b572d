using System.Diagnostics;
using System.Diagnostics.Metrics;
using MonitoredService.Observability.Metrics;
using Prometheus;

namespace MonitoredService.Items;

/// <summary>
/// The items domain's spans and metrics (names are a contract: rules and dashboards use them). Each
/// measurement is recorded once, here, into both exporters' instruments: the prometheus-net ones that
/// /metrics serves under their Prometheus names, and the <see cref="MeterName"/> meter's, which only
/// the OTLP exporter reads (nothing listens to it, and it costs nothing, unless
/// <c>OTEL_METRICS_EXPORTER=otlp</c>).
/// </summary>
public sealed class ItemsTelemetry
{
    public const string ActivitySourceName = "MonitoredService.Items";

    public const string MeterName = "MonitoredService.Items";

    /// <summary>The item a request or a store call is about, on its span.</summary>
    public const string ItemIdAttribute = "monitoredservice.item.id";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    public static readonly string[] Operations = ["create", "get", "list", "delete"];
    public static readonly string[] Outcomes = ["success", "not_found", "invalid", "error"];

    /// <summary>Store latency buckets: sub-millisecond for SQLite, up to the command timeout.</summary>
    public static readonly double[] StoreBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly Counter<long> _operations;
    private readonly Histogram<double> _storeDuration;
    private long _stored;

    public ItemsTelemetry(IMetricFactory factory, IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _operations = meter.CreateCounter<long>("monitoredservice.items.operations", "{operation}",
            "Items API operations, by operation and outcome.");
        _storeDuration = meter.CreateHistogram<double>("monitoredservice.store.operation.duration", "s",
            "Duration of item store calls, by operation and outcome.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StoreBuckets });
        meter.CreateObservableGauge("monitoredservice.items.stored", () => Interlocked.Read(ref _stored), "{item}", "Items in the store (refreshed every 15 s).");
        OperationsTotal = factory.CreateCounter(MetricNames.Prefix + "items_operations_total",
            "Items API operations, by operation and outcome (success, not_found, invalid, error).", ["operation", "outcome"]);
        StoreDuration = factory.CreateHistogram(MetricNames.Prefix + "store_operation_duration_seconds",
            "Duration of item store calls, by operation and outcome (success, error).", ["operation", "outcome"],
            new HistogramConfiguration { Buckets = StoreBuckets });
        Stored = factory.CreateGauge(MetricNames.Prefix + "items_stored", "Items in the store (refreshed every 15 s).");
        foreach (var operation in Operations)
        {
            foreach (var outcome in Outcomes)
            {
                OperationsTotal.WithLabels(operation, outcome).IncTo(0);
            }
        }
    }

    public Counter OperationsTotal { get; }

    public Prometheus.Histogram StoreDuration { get; }

    public Gauge Stored { get; }

    public void RecordOperation(string operation, string outcome)
    {
        OperationsTotal.WithLabels(operation, outcome).Inc();
        _operations.Add(1, new("operation", operation), new("outcome", outcome));
    }

    public void RecordStoreCall(string operation, string outcome, double seconds)
    {
        StoreDuration.WithLabels(operation, outcome).Observe(seconds);
        _storeDuration.Record(seconds, new("operation", operation), new("outcome", outcome));
    }

    public void RecordStored(long items)
    {
        Stored.Set(items);
        Interlocked.Exchange(ref _stored, items);
    }
}
