namespace MonitoredService.Observability.Metrics;

/// <summary>
/// One instrument of a .NET meter that /metrics exports, under a Prometheus name and type. Only the
/// instruments registered with <see cref="MetricsExtensions.AddExportedInstruments"/> are exported:
/// the runtime and Kestrel publish dozens more (and private QUIC meters), which nobody reads. The
/// library registers <see cref="RuntimeInstruments.All"/>; a host adds those of its own dependencies.
/// </summary>
/// <param name="Meter">The .NET meter's name.</param>
/// <param name="Instrument">The instrument's name in that meter.</param>
/// <param name="Name">The Prometheus metric name (starting with <see cref="MetricNames.Prefix"/> for the service's own).</param>
/// <param name="Type">How the measurements become a Prometheus metric.</param>
/// <param name="Help">The metric's HELP text.</param>
/// <param name="Tags">The measurement tags that become labels.</param>
/// <remarks>A tag becomes a label of the same name with dots replaced, or of the name after '=' (<c>tag=label</c>).</remarks>
public sealed record ExportedInstrument(
    string Meter, string Instrument, string Name, ExportedInstrument.Kind Type, string Help, params string[] Tags)
{
    /// <summary>The Prometheus type an instrument is exported as.</summary>
    public enum Kind
    {
        /// <summary>Monotonic: from a Counter (deltas) or an ObservableCounter (totals). Name ends in _total.</summary>
        Counter,

        /// <summary>A current value: from an UpDownCounter (deltas), an observable gauge or up-down counter.</summary>
        Gauge,

        /// <summary>A distribution of seconds, from a Histogram, in <see cref="SecondsBuckets"/>.</summary>
        Histogram,

        /// <summary>How many measurements were recorded (of a Histogram whose events count, not their values). Name ends in _total.</summary>
        Count,
    }

    /// <summary>Buckets for client-side latencies: 0.5 ms to 10 s.</summary>
    internal static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The instrument's tag names, in label order.</summary>
    internal string[] TagNames => Tags.Select(tag => tag.Split('=')[0]).ToArray();

    /// <summary>The Prometheus label names: the name after '=', or the tag name with dots replaced.</summary>
    internal string[] LabelNames => Tags.Select(tag => tag.Contains('=') ? tag.Split('=')[1] : tag.Replace('.', '_')).ToArray();
}
