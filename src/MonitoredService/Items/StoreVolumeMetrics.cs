using Microsoft.Extensions.Options;
using MonitoredService.Observability.Metrics;
using Prometheus;

namespace MonitoredService.Items;

/// <summary>
/// The size and free space of the filesystem that holds the SQLite file (a PVC in Kubernetes, a
/// disk anywhere), read at every scrape: the disk alerts fire from the service's own metrics,
/// without the kubelet's. Free is what the service may use (statvfs' f_bavail).
/// </summary>
internal sealed class StoreVolumeMetrics(IMetricFactory factory, CollectorRegistry registry, IOptions<StoreOptions> options, IHostEnvironment environment)
    : IHostedService
{
    public const string SizeName = MetricNames.Prefix + "store_volume_size_bytes";
    public const string FreeName = MetricNames.Prefix + "store_volume_free_bytes";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(options.Value.Path, environment.ContentRootPath))!;
        var unpublished = new GaugeConfiguration { SuppressInitialValue = true }; // no 0 before the first reading
        var size = factory.CreateGauge(SizeName, "Size of the filesystem that holds the SQLite store, in bytes.", unpublished);
        var free = factory.CreateGauge(FreeName, "Free bytes the service may use on the filesystem that holds the SQLite store.", unpublished);
        registry.AddBeforeCollectCallback(() =>
        {
            try
            {
                var drive = new DriveInfo(directory); // statvfs of that directory, whatever its mount point
                size.Set(drive.TotalSize);
                free.Set(drive.AvailableFreeSpace);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // Not created yet (before the migration) or gone: the last values stay; the store's health says why.
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
