using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MonitoredService.Observability.Http;
using MonitoredService.Observability.Settings;
using Prometheus;

namespace MonitoredService.Observability.Metrics;

/// <summary>Instruments a host exports besides the library's (<see cref="AddExportedInstruments"/>).</summary>
public static class MetricsExtensions
{
    /// <summary>Where Prometheus scrapes. Scrapes are not counted as requests (the scraper has its own metrics).</summary>
    internal const string Path = "/metrics";

    /// <summary>
    /// One registry per host (tests start several in one process) with process metrics, the
    /// exported runtime and Kestrel instruments, HTTP request metrics and build info. Every room
    /// records into <see cref="IMetricFactory"/> whether or not metrics are exported.
    /// </summary>
    internal static IHostApplicationBuilder AddMetrics(this IHostApplicationBuilder builder, SettingsCache settings)
    {
        var options = settings.Get<MetricsOptions>();
        builder.Services.AddSingleton(services =>
        {
            var registry = Prometheus.Metrics.NewCustomRegistry();
            DotNetStats.Register(registry);
            var identity = services.GetRequiredService<ServiceIdentity>();
            Prometheus.Metrics.WithCustomRegistry(registry)
                .CreateGauge(MetricNames.Prefix + "build_info", "Always 1; the labels say which build is running.", ["version", "commit"])
                .WithLabels(identity.Version, identity.Commit)
                .Set(1);
            // Capacity from the service itself (no cluster add-on needed), read at every scrape.
            var memoryLimit = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(MetricNames.Prefix + "memory_limit_bytes",
                "Memory this process may use: its cgroup's limit (v2 or v1, the lowest up the hierarchy), else the machine's memory.");
            registry.AddBeforeCollectCallback(() => memoryLimit.Set(MemoryLimit.Read().Bytes));
            return registry;
        });
        builder.Services.AddSingleton<IMetricFactory>(services =>
        {
            var factory = Prometheus.Metrics.WithCustomRegistry(services.GetRequiredService<CollectorRegistry>());
            // Exemplars only from recorded traces: an unsampled trace id would be a dead link.
            factory.ExemplarBehavior = new ExemplarBehavior
            {
                DefaultExemplarProvider = (_, _) => Activity.Current is { Recorded: true } ? Exemplar.FromTraceContext() : Exemplar.None,
            };
            return factory;
        });
        builder.Services.AddSingleton<HttpRequestMetrics>();
        builder.Services.AddExportedInstruments(RuntimeInstruments.All);
        if (!options.Enabled)
        {
            return builder;
        }

        builder.Services.AddHostedService<MeterBridge>(); // served on the application port, or by the management listener
        builder.Services.AddSingleton<IRequestObserver>(services => services.GetRequiredService<HttpRequestMetrics>()); // UseRequestObservation
        return builder;
    }

    /// <summary>
    /// Exports these instruments of .NET meters on /metrics, under their Prometheus names and types:
    /// how a host adds its dependencies' meters (a database driver's pool, say) to the runtime's.
    /// </summary>
    public static IServiceCollection AddExportedInstruments(this IServiceCollection services, params IEnumerable<ExportedInstrument> instruments)
    {
        foreach (var instrument in instruments)
        {
            services.AddSingleton(instrument);
        }

        return services;
    }

    /// <summary>GET /metrics on the application port, unless metrics are off or have their own port.</summary>
    internal static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder endpoints)
    {
        // Mapped before the host starts: the settings as registration saw them.
        var options = endpoints.ServiceProvider.GetRequiredService<SettingsCache>().Get<MetricsOptions>();
        if (options is { Enabled: true, Port: null })
        {
            endpoints.MapMetrics(Path, endpoints.ServiceProvider.GetRequiredService<CollectorRegistry>())
                .WithRequestKind(RequestKind.Scrape);
        }

        return endpoints;
    }
}
