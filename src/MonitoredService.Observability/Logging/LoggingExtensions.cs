using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitoredService.Observability.Http;
using MonitoredService.Observability.Logging.Elasticsearch;
using MonitoredService.Observability.Logging.Otlp;
using MonitoredService.Observability.Settings;
using Serilog;

namespace MonitoredService.Observability.Logging;

internal static class LoggingExtensions
{
    /// <summary>
    /// Serilog for every log of the host: ECS JSON, one event per line on stdout through a bounded
    /// queue and a buffered writer (a slow stdout never blocks a request; drops are counted), secrets masked,
    /// and optional direct shipping to Elasticsearch and over OTLP. A logger per host, no static bootstrap logger
    /// (that one breaks when tests start several hosts in a process). The logger is built with the
    /// host, before anything is validated: it takes its settings from the cache.
    /// </summary>
    public static IHostApplicationBuilder AddStructuredLogging(this IHostApplicationBuilder builder, SettingsCache settings)
    {
        var logging = settings.Get<LoggingOptions>();
        var elasticsearch = settings.Get<ElasticsearchOptions>();
        var otlp = settings.Get<OtlpLogOptions>();
        builder.Services.AddSingleton<LogShippingMetrics>();
        builder.Services.AddSingleton(services => LogLevels.From(services.GetRequiredService<IConfiguration>()));
        builder.Services.AddSingleton(services => new LogLevelOverrides(
            services.GetRequiredService<LogLevels>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<Prometheus.IMetricFactory>(),
            () => services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<LogLevelOverrides>>())); // resolved when a change is audited: after the logger is built
        builder.Services.AddSerilog(
            (services, logger) => Configure(logger, services, logging, elasticsearch, otlp),
            preserveStaticLogger: true);
        if (logging.RequestLogging)
        {
            builder.Services.AddSingleton<IRequestObserver>(services => new RequestLog(services.GetRequiredService<ILogger>())); // UseRequestObservation
        }

        return builder;
    }

    private static void Configure(
        LoggerConfiguration logger, IServiceProvider services, LoggingOptions logging, ElasticsearchOptions elasticsearch, OtlpLogOptions otlp)
    {
        var identity = services.GetRequiredService<ServiceIdentity>();
        var metrics = services.GetRequiredService<LogShippingMetrics>();
        var formatter = EcsFormat.Create(identity);
        var levels = services.GetRequiredService<LogLevels>(); // first: a bad level stops the start naming its key
        logger.ReadFrom.Configuration(services.GetRequiredService<IConfiguration>());
        // After the configuration: the levels as switches that /loggers can move (Serilog:MinimumLevel:* read there).
        levels.ApplyTo(logger)
            .Enrich.When(logEvent => !RequestCompletionEvent.Is(logEvent), enrich => enrich.FromLogContext())
            .WriteTo.Sink(new StdoutSink(formatter, Console.OpenStandardOutput(), logging.ConsoleQueueLimit, metrics));
        ElasticsearchShipping.WriteTo(logger.WriteTo, formatter, elasticsearch, metrics, services.GetRequiredService<TimeProvider>());
        OtlpLogShipping.WriteTo(logger.WriteTo, otlp, identity, metrics, services.GetRequiredService<TimeProvider>());
    }
}
