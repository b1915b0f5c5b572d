using MonitoredService.Observability.Health;
using MonitoredService.Observability.Options;
using MonitoredService.Observability.Startup;
using OpenTelemetry.Trace;

namespace MonitoredService.Items;

public static class ItemStoreExtensions
{
    /// <summary>The store implementation, without instrumentation (keyed, so that tests can wrap it).</summary>
    public const string StoreImplementationKey = "items-store";

    /// <summary>
    /// The items store: migrated and warmed up before the instance is ready, checked by readiness,
    /// traced and measured, and answered with 503 when it fails.
    /// </summary>
    public static IHostApplicationBuilder AddItemStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<StoreOptions>();
        builder.Services.AddSingleton<ItemsTelemetry>();
        builder.Services.AddKeyedSingleton<IItemStore, SqliteItemStore>(StoreImplementationKey);
        builder.Services.AddSingleton<IItemStore>(services => new InstrumentedItemStore(
            services.GetRequiredKeyedService<IItemStore>(StoreImplementationKey),
            services.GetRequiredService<ItemsTelemetry>(),
            databaseSystem: "sqlite"));
        builder.Services.AddStartupTask<StoreMigrationTask>();
        builder.Services.AddStartupTask<StoreWarmUpTask>();
        builder.Services.AddHostedService<ItemsCountRefresher>();
        builder.Services.AddExceptionHandler<StoreExceptionHandler>();
        builder.Services.AddHealthChecks().AddDependencyCheck<StoreHealthCheck>("store");
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(ItemsTelemetry.ActivitySourceName));
        return builder;
    }
}
