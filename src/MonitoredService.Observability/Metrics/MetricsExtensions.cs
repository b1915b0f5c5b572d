using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MonitoredService.Observability.Health;
using MonitoredService.Observability.Options;
using Prometheus;

namespace MonitoredService.Observability.Metrics;

public static class MetricsExtensions
{
    /// <summary>Where Prometheus scrapes. Scrapes are not counted as requests (the scraper has its own metrics).</summary>
    public const string Path = "/metrics";

    /// <summary>
    /// One registry per host (tests start several in one process) with process metrics, the
    /// allow-listed runtime and Kestrel instruments, HTTP request metrics, health as metrics and
    /// build info. Code records into <see cref="IMetricFactory"/> whether or not metrics are exported.
    /// </summary>
    public static IHostApplicationBuilder AddMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<MetricsOptions>();
        builder.Services.AddSingleton(services =>
        {
            var registry = Prometheus.Metrics.NewCustomRegistry();
            DotNetStats.Register(registry);
            var identity = services.GetRequiredService<ServiceIdentity>();
            Prometheus.Metrics.WithCustomRegistry(registry)
                .CreateGauge("monitoredservice_build_info", "Always 1; the labels say which build is running.", ["version", "commit"])
                .WithLabels(identity.Version, identity.Commit)
                .Set(1);
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

        var options = builder.Configuration.ReadOrDefaults<MetricsOptions>();
        if (!options.Enabled)
        {
            return builder;
        }

        builder.Services.AddHostedService<MeterBridge>();
        builder.Services.AddSingleton<IHealthCheckPublisher, HealthCheckMetricsPublisher>();
        builder.Services.AddOptions<HealthCheckPublisherOptions>()
            .Configure<IOptions<HealthOptions>>((publisher, health) =>
            {
                publisher.Delay = TimeSpan.Zero;
                publisher.Period = health.Value.PublishPeriod;
            });
        if (options.Port is not null)
        {
            builder.Services.AddHostedService<SeparateMetricsListener>();
        }

        return builder;
    }

    /// <summary>
    /// HTTP request metrics by route template. Runs after routing (the endpoint is known) and outside
    /// the exception handler (a request that threw is counted with the status the client got).
    /// </summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IConfiguration>().ReadOrDefaults<MetricsOptions>();
        return options.Enabled
            ? app.Use(app.ApplicationServices.GetRequiredService<HttpRequestMetrics>().InvokeAsync)
            : app;
    }

    /// <summary>GET /metrics on the application port, unless metrics are off or have their own port.</summary>
    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IConfiguration>().ReadOrDefaults<MetricsOptions>();
        if (options is { Enabled: true, Port: null })
        {
            endpoints.MapMetrics(Path, endpoints.ServiceProvider.GetRequiredService<CollectorRegistry>());
        }

        return endpoints;
    }
}
