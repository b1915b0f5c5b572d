using MonitoredService.Observability.Startup;

namespace MonitoredService.Items;

/// <summary>Creates or upgrades the schema before the instance takes traffic.</summary>
internal sealed class StoreMigrationTask(IItemStore store) : IStartupTask
{
    public string Name => "store migration";

    public Task RunAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);
}

/// <summary>Opens the first pooled connection and runs the read paths once, so the first request is not the slow one.</summary>
internal sealed class StoreWarmUpTask(IItemStore store) : IStartupTask
{
    public string Name => "store warm-up";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await store.PingAsync(cancellationToken);
        await store.ListAsync(afterId: 0, limit: 1, cancellationToken);
        await store.GetAsync(id: 0, cancellationToken);
    }
}
