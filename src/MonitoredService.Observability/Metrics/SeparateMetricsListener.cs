using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Prometheus;

namespace MonitoredService.Observability.Metrics;

/// <summary>
/// /metrics on its own port (<see cref="MetricsOptions.Port"/>), so that a NetworkPolicy can open it
/// to the monitoring namespace only. It keeps serving through the shutdown drain, like the app port.
/// A port that cannot be bound stops the host at start.
/// </summary>
internal sealed class SeparateMetricsListener(CollectorRegistry registry, IOptions<MetricsOptions> options) : IHostedService
{
    private IMetricServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _server = new KestrelMetricServer(new KestrelMetricServerOptions
        {
            Hostname = options.Value.Host,
            Port = checked((ushort)options.Value.Port!.Value),
            Registry = registry,
        }).Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _server?.StopAsync() ?? Task.CompletedTask;
}
