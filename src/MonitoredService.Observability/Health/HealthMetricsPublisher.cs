using Microsoft.Extensions.Diagnostics.HealthChecks;
using MonitoredService.Observability.Metrics;
using Prometheus;

namespace MonitoredService.Observability.Health;

/// <summary>
/// Health as metrics, so that alerts see a failing check: every check's status and duration, and
/// each probe's status, refreshed every <see cref="HealthOptions.PublishPeriod"/>.
/// Status values: 1 healthy, 0.5 degraded, 0 unhealthy.
/// </summary>
internal sealed class HealthMetricsPublisher(IMetricFactory factory) : IHealthCheckPublisher
{
    private static readonly string[] Probes = [HealthTags.Live, HealthTags.Ready, HealthTags.Startup];

    private readonly Gauge _checkStatus = factory.CreateGauge(
        MetricNames.Prefix + "health_check_status", "Health check status: 1 healthy, 0.5 degraded, 0 unhealthy.", ["check"]);

    private readonly Gauge _checkDuration = factory.CreateGauge(
        MetricNames.Prefix + "health_check_duration_seconds", "Duration of the last run of each health check, in seconds.", ["check"]);

    private readonly Gauge _probeStatus = factory.CreateGauge(
        MetricNames.Prefix + "health_probe_status", "Status the probe would answer: 1 healthy (200), 0.5 degraded (200), 0 unhealthy (503).", ["probe"]);

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        foreach (var (name, entry) in report.Entries)
        {
            _checkStatus.WithLabels(name).Set(ValueOf(entry.Status));
            _checkDuration.WithLabels(name).Set(entry.Duration.TotalSeconds);
        }

        foreach (var probe in Probes)
        {
            var worst = report.Entries.Values
                .Where(entry => entry.Tags.Contains(probe))
                .Select(entry => ValueOf(entry.Status))
                .DefaultIfEmpty(1)
                .Min();
            _probeStatus.WithLabels(probe).Set(worst);
        }

        return Task.CompletedTask;
    }

    private static double ValueOf(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => 1,
        HealthStatus.Degraded => 0.5,
        _ => 0,
    };
}
