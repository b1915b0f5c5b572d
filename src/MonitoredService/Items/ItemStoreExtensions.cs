#if (WithPostgres)
using Microsoft.Extensions.Options;
#endif
using MonitoredService.Observability.Health;
using MonitoredService.Observability.Metrics;
using MonitoredService.Observability.Settings;
using MonitoredService.Observability.Startup;
#if (WithPostgres)
using Npgsql;
#endif
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MonitoredService.Items;

public static class ItemStoreExtensions
{
    /// <summary>The store implementation, without instrumentation (keyed, so that tests can wrap it).</summary>
    public const string StoreImplementationKey = "items-store";

#if (WithPostgres)
    /// <summary>The name of the PostgreSQL data source: the pool label of Npgsql's metrics (never the connection string).</summary>
    public const string DataSourceName = "items";
#endif

    /// <summary>
    /// The items store (SQLite by default, PostgreSQL by <c>Store:Provider</c>): migrated and warmed up
    /// before the instance is ready, checked by readiness, traced and measured, and answered with 503
    /// when it fails.
    /// </summary>
    public static IHostApplicationBuilder AddItemStore(this IHostApplicationBuilder builder)
    {
        var provider = SettingsCache.Of(builder).Get<StoreOptions>().Provider;
        builder.Services.AddSingleton<ItemsTelemetry>();
#if (WithPostgres)
        if (provider == StoreProvider.PostgreSql)
        {
            builder.Services.AddSingleton(CreateDataSource);
            builder.Services.AddKeyedSingleton<IItemStore, PostgresItemStore>(StoreImplementationKey);
            builder.Services.AddExportedInstruments(PostgresInstruments.All);
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddNpgsql());
        }
        else
#endif
        {
            builder.Services.AddKeyedSingleton<IItemStore, SqliteItemStore>(StoreImplementationKey);
            builder.Services.AddHostedService<StoreVolumeMetrics>();
        }

        builder.Services.AddSingleton<IItemStore>(services => new InstrumentedItemStore(
            services.GetRequiredKeyedService<IItemStore>(StoreImplementationKey),
            services.GetRequiredService<ItemsTelemetry>(),
            databaseSystem: provider.ToString().ToLowerInvariant()));
        builder.Services.AddStartupTask<StoreMigrationTask>();
        builder.Services.AddStartupTask<StoreWarmUpTask>();
        builder.Services.AddHostedService<ItemsCountRefresher>();
        builder.Services.AddExceptionHandler<StoreExceptionHandler>();
        builder.Services.AddHealthChecks().AddDependencyCheck<StoreHealthCheck>("store");
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(ItemsTelemetry.ActivitySourceName));
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(ItemsTelemetry.MeterName)); // read by the OTLP exporter only
        return builder;
    }
#if (WithPostgres)

    private static NpgsqlDataSource CreateDataSource(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<StoreOptions>>().Value;
        var dataSource = new NpgsqlDataSourceBuilder(options.ConnectionString)
        {
            Name = DataSourceName,
        };
        dataSource.ConnectionStringBuilder.CommandTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
        dataSource.ConnectionStringBuilder.Timeout = (int)Math.Ceiling(options.ConnectTimeout.TotalSeconds);
        dataSource.UseLoggerFactory(services.GetRequiredService<ILoggerFactory>());
        return dataSource.Build();
    }
#endif
}
