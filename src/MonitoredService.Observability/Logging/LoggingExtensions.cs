using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MonitoredService.Observability.Logging.Elasticsearch;
using MonitoredService.Observability.Settings;
using Serilog;
using Serilog.Events;

namespace MonitoredService.Observability.Logging;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog for every log of the host: ECS JSON, one event per line on stdout through a bounded
    /// queue and a buffered writer (a slow stdout never blocks a request; drops are counted), secrets masked,
    /// and optional direct shipping to Elasticsearch. A logger per host, no static bootstrap logger
    /// (that one breaks when tests start several hosts in a process). The logger is built with the
    /// host, before anything is validated: it takes its settings from the cache.
    /// </summary>
    public static IHostApplicationBuilder AddStructuredLogging(this IHostApplicationBuilder builder, SettingsCache settings)
    {
        var logging = settings.Get<LoggingOptions>();
        var elasticsearch = settings.Get<ElasticsearchOptions>();
        builder.Services.AddSingleton<LogShippingMetrics>();
        builder.Services.AddSerilog(
            (services, logger) => Configure(logger, services, logging, elasticsearch),
            preserveStaticLogger: true);
        return builder;
    }

    /// <summary>The request-completion events, unless <c>Observability:Logging:RequestLogging</c> is false.</summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) =>
        app.Use(next => // built at start, once the settings are validated
            app.ApplicationServices.GetRequiredService<IOptions<LoggingOptions>>().Value.RequestLogging
                ? new RequestLoggingMiddleware(next, app.ApplicationServices.GetRequiredService<ILogger>()).InvokeAsync
                : next);

    private static void Configure(
        LoggerConfiguration logger, IServiceProvider services, LoggingOptions logging, ElasticsearchOptions elasticsearch)
    {
        var identity = services.GetRequiredService<ServiceIdentity>();
        var metrics = services.GetRequiredService<LogShippingMetrics>();
        var formatter = EcsFormat.Create(identity);
        logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            // The health-check service logs every unhealthy result at Error, on every probe: during
            // start-up and drain that is an expected state, not an error. Dependency checks log their
            // own transitions, with the exception, once (DependencyHealthCheck).
            .MinimumLevel.Override("Microsoft.Extensions.Diagnostics.HealthChecks", LogEventLevel.Fatal)
            .ReadFrom.Configuration(services.GetRequiredService<IConfiguration>()) // Serilog:MinimumLevel:* overrides the defaults above
            .Enrich.FromLogContext()
            .WriteTo.Sink(new StdoutSink(formatter, Console.OpenStandardOutput(), logging.ConsoleQueueLimit, metrics));
        ElasticsearchShipping.WriteTo(logger.WriteTo, formatter, elasticsearch, metrics, services.GetRequiredService<TimeProvider>());
    }
}
