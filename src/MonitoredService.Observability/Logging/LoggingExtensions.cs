using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitoredService.Observability.Logging.Elasticsearch;
using MonitoredService.Observability.Options;
using Serilog;
using Serilog.Events;

namespace MonitoredService.Observability.Logging;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog for every log of the host: ECS JSON, one event per line on stdout through a bounded
    /// queue and a buffered writer (a slow stdout never blocks a request; drops are counted), secrets masked,
    /// and optional direct shipping to Elasticsearch. A logger per host, no static bootstrap logger
    /// (that one breaks when tests start several hosts in a process).
    /// </summary>
    public static IHostApplicationBuilder AddStructuredLogging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<LoggingOptions>();
        builder.Services.AddSingleton<LogShippingMetrics>();
        builder.AddElasticsearchShipping();
        builder.Services.AddSerilog(
            (services, logger) => Configure(logger, services, builder.Configuration),
            preserveStaticLogger: true);
        return builder;
    }

    /// <summary>The request-completion events, unless <c>Observability:Logging:RequestLogging</c> is false.</summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<IConfiguration>().ReadOrDefaults<LoggingOptions>().RequestLogging
            ? app.UseMiddleware<RequestLoggingMiddleware>()
            : app;

    private static void Configure(LoggerConfiguration logger, IServiceProvider services, IConfiguration configuration)
    {
        var identity = services.GetRequiredService<ServiceIdentity>();
        var metrics = services.GetRequiredService<LogShippingMetrics>();
        var options = configuration.ReadOrDefaults<LoggingOptions>();
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
            .ReadFrom.Configuration(configuration) // Serilog:MinimumLevel:* overrides the defaults above
            .Enrich.FromLogContext()
            .WriteTo.Sink(new StdoutSink(formatter, Console.OpenStandardOutput(), options.ConsoleQueueLimit, metrics));
        services.GetService<ElasticsearchShipping>()?.WriteTo(logger.WriteTo, formatter);
    }
}
