using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using MonitoredService.Observability.Errors;
using MonitoredService.Observability.Health;
using MonitoredService.Observability.Http;
using MonitoredService.Observability.Logging;
using MonitoredService.Observability.Metrics;
using MonitoredService.Observability.Shutdown;
using MonitoredService.Observability.Startup;
using MonitoredService.Observability.Tracing;

namespace MonitoredService.Observability;

/// <summary>The one-call observability defaults of a service (the Aspire "ServiceDefaults" idea).</summary>
public static class ObservabilityExtensions
{
    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        ServiceIdentity.Of(builder);
        builder.AddStructuredLogging();
        builder.AddErrorHandling();
        builder.AddHealthProbes();
        builder.AddStartupGate();
        builder.AddGracefulShutdown();
        builder.AddMetrics();
        builder.AddTracing();
        return builder;
    }

    /// <summary>The middleware, in the order that keeps every signal true (see each call).</summary>
    public static IApplicationBuilder UseObservability(this IApplicationBuilder app)
    {
        app.UseTraceResponse();
        app.UseRouting();
        app.UseRequestLabels();
        app.UseRequestMetrics();
        app.UseRequestLogging();
        app.UseErrorHandling();
        return app;
    }

    public static IEndpointRouteBuilder MapObservabilityEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthProbes();
        endpoints.MapMetricsEndpoint();
        return endpoints;
    }
}
