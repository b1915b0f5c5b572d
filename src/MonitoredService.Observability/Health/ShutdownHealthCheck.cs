using Microsoft.Extensions.Diagnostics.HealthChecks;
using MonitoredService.Observability.Shutdown;

namespace MonitoredService.Observability.Health;

/// <summary>Unhealthy from the moment shutdown begins, so that readiness sends traffic elsewhere.</summary>
internal sealed class ShutdownHealthCheck(ShutdownState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.IsShuttingDown
            ? new HealthCheckResult(context.Registration.FailureStatus, "Shutting down: draining before the server stops.")
            : HealthCheckResult.Healthy("Not shutting down."));
}
