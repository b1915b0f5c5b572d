using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using MonitoredService.Observability.Errors;
using MonitoredService.Observability.Health;
using MonitoredService.Observability.Http;
using MonitoredService.Observability.Logging;
using MonitoredService.Observability.Management;
using MonitoredService.Observability.Metrics;
using MonitoredService.Observability.Settings;
using MonitoredService.Observability.Shutdown;
using MonitoredService.Observability.Startup;
using MonitoredService.Observability.Tracing;

namespace MonitoredService.Observability;

/// <summary>The one-call observability defaults of a service (the Aspire "ServiceDefaults" idea).</summary>
public static class ObservabilityExtensions
{
    /// <summary>
    /// Every room's services, with the host's settings read once (<see cref="SettingsCache"/>) and
    /// handed to each. The order of these calls does not matter, nor their order against the host's own.
    /// </summary>
    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        var settings = SettingsCache.Of(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddStructuredLogging(settings);
        builder.AddErrorHandling();
        builder.AddStartupGate();
        builder.AddGracefulShutdown(settings);
        builder.AddHealthProbes(settings);
        builder.AddMetrics(settings);
        builder.AddOtlpMetrics(settings);
        builder.AddTracing(settings);
        builder.AddManagementListener(settings);
        return builder;
    }

    /// <summary>
    /// The middleware, in the one order that keeps every signal true. Call it first: what is added
    /// after it (the host's middleware, the endpoints) is observed.
    /// </summary>
    public static IApplicationBuilder UseObservability(this IApplicationBuilder app)
    {
        app.UseTraceResponse();      // before anything can answer: every response names its trace
        app.UseRouting();            // the endpoint, hence the route template and the kind of request
        app.UseRequestObservation(); // the facts, once; every signal's observer sees the start and, outside the error handling, the status the client got
        app.UseErrorHandling();      // records on the span, then answers problem+json
        return app;
    }

    /// <summary>The probes (<c>/health/live</c>, <c>/health/ready</c>, <c>/health/startup</c>) and <c>/metrics</c> (on the management port when one is set).</summary>
    public static IEndpointRouteBuilder MapObservabilityEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthProbes();
        endpoints.MapMetricsEndpoint();
        return endpoints;
    }
}
