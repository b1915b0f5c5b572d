namespace MonitoredService.Observability.Startup;

/// <summary>
/// Work that must finish before the instance takes traffic (store migration, warm-up).
/// Tasks run in registration order after the server listens; /health/startup and /health/ready
/// answer 503 until all have succeeded.
/// </summary>
public interface IStartupTask
{
    /// <summary>A short name for logs and the start-up probe, e.g. "store migration".</summary>
    string Name { get; }

    /// <summary>Does the work; a throw is logged and the task is tried again after a pause, until it succeeds or the host stops.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
