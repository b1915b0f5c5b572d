using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace MonitoredService.Observability.Metrics;

public static class MetricsExtensions
{
    /// <summary>
    /// HTTP request metrics labelled by route template (the <c>endpoint</c> label), never by raw path.
    /// Must run after routing, so that the endpoint is known, and outside the exception handler, so
    /// that a request that threw is counted with the status code the client got.
    /// </summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app) => app.UseHttpMetrics();

    /// <summary>GET /metrics in the Prometheus text format.</summary>
    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMetrics();
        return endpoints;
    }
}
