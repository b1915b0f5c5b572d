using MonitoredService.Observability.Health;
using MonitoredService.Observability.Options;
using MonitoredService.Observability.Startup;

namespace MonitoredService.Items;

public static class ItemStoreExtensions
{
    /// <summary>
    /// The items store: migrated and warmed up before the instance is ready, checked by readiness,
    /// and answered with 503 when it fails.
    /// </summary>
    public static IHostApplicationBuilder AddItemStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<StoreOptions>();
        builder.Services.AddSingleton<IItemStore, SqliteItemStore>();
        builder.Services.AddStartupTask<StoreMigrationTask>();
        builder.Services.AddStartupTask<StoreWarmUpTask>();
        builder.Services.AddExceptionHandler<StoreExceptionHandler>();
        builder.Services.AddHealthChecks().AddDependencyCheck<StoreHealthCheck>("store");
        return builder;
    }
}
