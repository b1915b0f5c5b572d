namespace MonitoredService.Observability.Health;

/// <summary>The probe paths: one place for the endpoints, the tracing filter and the manifests' tests.</summary>
internal static class HealthPaths
{
    public const string Prefix = "/health";
    public const string Live = "/health/live";
    public const string Ready = "/health/ready";
    public const string Startup = "/health/startup";
}
