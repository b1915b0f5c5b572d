using System.Diagnostics;
using MonitoredService.Observability.Metrics;
using Prometheus;

namespace MonitoredService.Items;

/// <summary>The items domain's spans and metrics (names are a contract: rules and dashboards use them).</summary>
public sealed class ItemsTelemetry
{
    public const string ActivitySourceName = "MonitoredService.Items";

    /// <summary>The item a request or a store call is about, on its span.</summary>
    public const string ItemIdAttribute = "monitoredservice.item.id";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    public static readonly string[] Operations = ["create", "get", "list", "delete"];
    public static readonly string[] Outcomes = ["success", "not_found", "invalid", "error"];

    /// <summary>Store latency buckets: sub-millisecond for SQLite, up to the command timeout.</summary>
    public static readonly double[] StoreBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    public ItemsTelemetry(IMetricFactory factory)
    {
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

    public Histogram StoreDuration { get; }

    public Gauge Stored { get; }
}
