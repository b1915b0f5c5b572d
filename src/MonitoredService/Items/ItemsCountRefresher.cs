using MonitoredService.Observability.Startup;

namespace MonitoredService.Items;

/// <summary>
/// Keeps <c>monitoredservice_items_stored</c> current by counting in the background every 15 s, so
/// that a scrape never waits for a count over a large table. A failed count leaves the last value
/// (the store's health gauge says why). It starts once start-up is complete.
/// </summary>
internal sealed class ItemsCountRefresher(IItemStore store, ItemsTelemetry telemetry, StartupState startup, TimeProvider time)
    : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await startup.WhenCompleteAsync(stoppingToken); // the schema is there
            using var timer = new PeriodicTimer(Period, time);
            do
            {
                try
                {
                    telemetry.RecordStored(await store.CountAsync(stoppingToken));
                }
                catch (StoreUnavailableException)
                {
                    // Keep the last value; readiness and the store's health metric report the outage.
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping, or a host that failed to start being disposed: not a failure of this service
            // (it used to log "BackgroundService failed" and a Fatal line after a port already in use).
        }
    }
}
