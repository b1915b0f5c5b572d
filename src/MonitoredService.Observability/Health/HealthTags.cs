namespace MonitoredService.Observability.Health;

/// <summary>Checks are registered once and selected per probe by these tags.</summary>
internal static class HealthTags
{
    /// <summary>The process can serve. Never an external dependency.</summary>
    public const string Live = "live";

    /// <summary>The instance should receive traffic.</summary>
    public const string Ready = "ready";

    /// <summary>Start-up work (configuration, store migration, warm-up) has finished.</summary>
    public const string Startup = "startup";
}
