using Microsoft.Extensions.Diagnostics.HealthChecks;
using MonitoredService.Observability.Startup;

namespace MonitoredService.Observability.Health;

/// <summary>Unhealthy until every start-up task has succeeded, then healthy for good.</summary>
internal sealed class StartupHealthCheck(StartupState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Pending is { } pending
            ? new HealthCheckResult(
                context.Registration.FailureStatus,
                state.FailedAttempts == 0
                    ? $"Start-up in progress: {pending}."
                    : $"Start-up in progress: {pending} (failed {state.FailedAttempts} times; retrying).")
            : HealthCheckResult.Healthy("Start-up complete."));
}
