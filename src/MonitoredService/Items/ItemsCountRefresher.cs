using MonitoredService.Observability.Startup;

namespace MonitoredService.Items;

/// <summary>
/// Keeps <c>monitoredservice_items_stored</c> current by counting in the background every 15 s, so
/// that a scrape never waits for a count over a large table. A failed count leaves the last value
/// (the store's health gauge says why).
/// </summary>
internal sealed class ItemsCountRefresher(IItemStore store, ItemsTelemetry telemetry, StartupState startup, TimeProvider time)
    : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200), time);
        while (!startup.IsComplete && await timer.WaitForNextTickAsync(stoppingToken))
        {
        }

        timer.Period = Period;
        do
        {
            try
            {
                telemetry.Stored.Set(await store.CountAsync(stoppingToken));
            }
            catch (StoreUnavailableException)
            {
                // Keep the last value; readiness and the store's health metric report the outage.
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
