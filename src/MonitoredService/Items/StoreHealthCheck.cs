using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MonitoredService.Items;

/// <summary>Readiness of the items store: a real query. Timeout and caching come from AddDependencyCheck.</summary>
internal sealed class StoreHealthCheck(IItemStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy("The store answered a query.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The store did not answer a query.", ex);
        }
    }
}
