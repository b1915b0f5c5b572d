namespace MonitoredService.Observability.Metrics;

/// <summary>The names this service gives its own metrics.</summary>
public static class MetricNames
{
    /// <summary>
    /// The prefix of every metric the service defines (the library's and the host's): rules,
    /// dashboards and the contract test select on it. The one place it is written in code.
    /// </summary>
    public const string Prefix = "monitoredservice_";
}
