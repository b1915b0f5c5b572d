using MonitoredService.Testing;

namespace MonitoredService.Bench;

/// <summary>Which signals are on; one process per variant, started by the tests' launcher.</summary>
internal sealed record Variant(string Name, bool Metrics, bool Logs, bool Traces)
{
    public static readonly Variant AllOff = new("all off", false, false, false);
    public static readonly Variant MetricsOnly = new("metrics only", true, false, false);
    public static readonly Variant LogsOnly = new("request logs only", false, true, false);
    public static readonly Variant TracesOnly = new("traces only (10 %)", false, false, true);
    public static readonly Variant AllOn = new("all on", true, true, true);

    public static readonly Variant[] All = [AllOff, MetricsOnly, LogsOnly, TracesOnly, AllOn];

    /// <summary>
    /// The built service in this variant, its stdout in a file (as a container runtime takes it), so
    /// that logging costs what it costs in production; traces, when on, go to <paramref name="otlpSink"/>.
    /// </summary>
    public ServiceProcess Start(string assembly, Uri otlpSink)
    {
        var settings = new Dictionary<string, string>
        {
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
            ["Observability:Metrics:Enabled"] = Metrics ? "true" : "false",
            ["Observability:Logging:RequestLogging"] = Logs ? "true" : "false",
            ["Observability:Tracing:Enabled"] = Traces ? "true" : "false",
        };
        if (Traces)
        {
            settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpSink.ToString();
            settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            settings["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio";
            settings["OTEL_TRACES_SAMPLER_ARG"] = "0.1";
        }

        return ServiceProcess.Start(settings, assembly: assembly, outputToFile: true);
    }
}
