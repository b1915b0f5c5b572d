using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MonitoredService.Observability.Startup;

namespace MonitoredService.Observability.Health;

/// <summary>
/// Wraps the check of an external dependency so that probes can lean on it:
/// <list type="bullet">
/// <item>one query at a time, shared by every concurrent caller, and its result reused for
/// <see cref="HealthOptions.CacheDuration"/>: a probe storm costs one dependency query per window;</item>
/// <item>a timeout that holds even when the driver blocks synchronously, so a hung dependency
/// answers "unhealthy" within <see cref="HealthOptions.Timeout"/> instead of hanging the probe;</item>
/// <item>no exception in the result (its text can carry a connection string): the exception goes to
/// the log once, when the dependency's status changes;</item>
/// <item>no query before start-up is complete: until then the start-up tasks (migration, warm-up)
/// are what reports on the dependency, and a query would only fail on a schema not yet there.</item>
/// </list>
/// </summary>
internal sealed partial class DependencyHealthCheck(
    IHealthCheck inner,
    StartupState startup,
    IOptions<HealthOptions> options,
    TimeProvider time,
    ILogger<DependencyHealthCheck> logger) : IHealthCheck
{
    private readonly Lock _gate = new();
    private Task<CachedResult>? _latest;
    private HealthStatus? _lastStatus;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!startup.IsComplete)
        {
            return Task.FromResult(new HealthCheckResult(
                context.Registration.FailureStatus, "Not checked until start-up is complete."));
        }

        Task<CachedResult> shared;
        lock (_gate)
        {
            if (_latest is null || IsStale(_latest))
            {
                _latest = QueryAsync(context);
            }

            shared = _latest;
        }

        return AwaitResultAsync(shared, cancellationToken);
    }

    private static async Task<HealthCheckResult> AwaitResultAsync(Task<CachedResult> shared, CancellationToken cancellationToken) =>
        (await shared.WaitAsync(cancellationToken).ConfigureAwait(false)).Result;

    private bool IsStale(Task<CachedResult> latest) =>
        latest.IsCompletedSuccessfully
        && time.GetElapsedTime(latest.Result.CompletedAt) >= options.Value.CacheDuration;

    private async Task<CachedResult> QueryAsync(HealthCheckContext context)
    {
        var timeout = options.Value.Timeout;
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        HealthCheckResult result;
        try
        {
            // Task.Run: some drivers (SQLite) block synchronously; the timeout must still hold.
            var query = Task.Run(() => inner.CheckHealthAsync(context, timeoutSource.Token), CancellationToken.None);
            result = await query.WaitAsync(timeout, time).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && timeoutSource.IsCancellationRequested))
        {
            result = new HealthCheckResult(
                context.Registration.FailureStatus, $"No answer within {timeout.TotalMilliseconds:0} ms.");
        }
        catch (Exception ex)
        {
            result = new HealthCheckResult(context.Registration.FailureStatus, exception: ex);
        }

        ReportTransition(context.Registration.Name, result);
        return new CachedResult(WithoutException(result), time.GetTimestamp());
    }

    private void ReportTransition(string name, HealthCheckResult result)
    {
        lock (_gate)
        {
            if (_lastStatus == result.Status)
            {
                return;
            }

            _lastStatus = result.Status;
        }

        if (result.Status == HealthStatus.Healthy)
        {
            LogHealthy(logger, name);
        }
        else
        {
            LogUnhealthy(logger, result.Exception, name, result.Status, result.Description);
        }
    }

    private static HealthCheckResult WithoutException(HealthCheckResult result) =>
        result.Exception is null
            ? result
            : new HealthCheckResult(
                result.Status,
                $"Check failed ({result.Exception.GetType().Name}); the log has the details.",
                exception: null,
                result.Data);

    private sealed record CachedResult(HealthCheckResult Result, long CompletedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dependency check {HealthCheck} is healthy")]
    private static partial void LogHealthy(ILogger logger, string healthCheck);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dependency check {HealthCheck} is {HealthStatus}: {HealthDescription}")]
    private static partial void LogUnhealthy(ILogger logger, Exception? exception, string healthCheck, HealthStatus healthStatus, string? healthDescription);
}
