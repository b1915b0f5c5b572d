using MonitoredService.Testing;

namespace MonitoredService.Bench;

/// <summary>Which signals are on; one process per variant, started by the tests' launcher.</summary>
internal sealed record Variant(string Name, bool Metrics, bool Logs, bool Traces, bool Token = false, bool Limits = false, bool OtlpMetrics = false)
{
    public static readonly Variant AllOff = new("all off", false, false, false);
    public static readonly Variant MetricsOnly = new("metrics only", true, false, false);
    public static readonly Variant LogsOnly = new("request logs only", false, true, false);
    public static readonly Variant TracesOnly = new("traces only (10 %)", false, false, true);
    public static readonly Variant AllOn = new("all on", true, true, true);

#if (WithAuth)
    /// <summary>
    /// All off, plus the API's protection: a bearer token (HS256) validated on every request, the
    /// per-client bucket and the concurrency limit on, set so high that nothing is refused: what a
    /// request pays for being checked. Not in the full run (its variants stay comparable with earlier
    /// runs): <c>tests/bench/run.sh --compare secured</c> (or <c>token</c>, <c>limits</c>).
    /// </summary>
    public static readonly Variant Secured = new("secured (token, limits)", false, false, false, Token: true, Limits: true);

    /// <summary>The two halves of <see cref="Secured"/>, to tell their costs apart.</summary>
    public static readonly Variant TokenOnly = new("token only", false, false, false, Token: true);
#endif

    public static readonly Variant LimitsOnly = new("limits only", false, false, false, Limits: true);

    /// <summary>
    /// Metrics over OTLP alone (every 10 s to the sink): what listening to ASP.NET Core's HTTP meter,
    /// Kestrel's, the runtime's and the domain's costs a request. <c>--compare "OTLP metrics"</c>.
    /// </summary>
    public static readonly Variant OtlpMetricsOnly = new("OTLP metrics only", false, false, false, OtlpMetrics: true);

    public static readonly Variant[] All = [AllOff, MetricsOnly, LogsOnly, TracesOnly, AllOn];

    /// <summary>What <c>--compare</c> can run against all off.</summary>
#if (WithAuth)
    public static readonly Variant[] Comparable = [.. All, Secured, TokenOnly, LimitsOnly, OtlpMetricsOnly];

    private static readonly TestTokens Tokens = new();

    /// <summary>The header wrk sends with every request: the token, for a secured variant.</summary>
    public string? Authorization => Token ? "Authorization: Bearer " + Tokens.Mint(subject: "bench", scope: "items:write", lifetime: TimeSpan.FromHours(12)) : null;
#else
    public static readonly Variant[] Comparable = [.. All, LimitsOnly, OtlpMetricsOnly];

    /// <summary>The header wrk sends with every request: none (the API takes no token).</summary>
    public string? Authorization => null;
#endif

    /// <summary>
    /// The built service in this variant, its stdout in a file (as a container runtime takes it), so
    /// that logging costs what it costs in production; traces, when on, go to <paramref name="otlpSink"/>.
    /// A <paramref name="wrapper"/> (such as <c>env NAME=value</c>) runs the service by exec, under the same process id.
    /// </summary>
    public ServiceProcess Start(string assembly, Uri otlpSink, IReadOnlyList<string>? wrapper = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
            ["Observability:Metrics:Enabled"] = Metrics ? "true" : "false",
            ["Observability:Logging:RequestLogging"] = Logs ? "true" : "false",
            ["Observability:Tracing:Enabled"] = Traces ? "true" : "false",
        };
#if (WithAuth)
        if (Token)
        {
            settings["Authentication:Jwt:SigningKey"] = Tokens.SigningKey;
        }

#endif
        if (Limits)
        {
            settings["RateLimiting:PermitsPerSecond"] = "1000000";
            settings["RateLimiting:MaxConcurrentRequests"] = "10000";
        }

        if (Traces)
        {
            settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpSink.ToString();
            settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            settings["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio";
            settings["OTEL_TRACES_SAMPLER_ARG"] = "0.1";
        }

        if (OtlpMetrics)
        {
            settings["OTEL_METRICS_EXPORTER"] = "otlp";
            settings["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = new Uri(otlpSink, "/v1/metrics").ToString();
            settings["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"] = "http/protobuf";
            settings["OTEL_METRIC_EXPORT_INTERVAL"] = "10000";
        }

        return ServiceProcess.Start(settings, assembly: assembly, wrapper: wrapper, outputToFile: true);
    }
}
