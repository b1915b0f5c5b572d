using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MonitoredService.Observability.Http;

internal static class RequestFactsExtensions
{
    /// <summary>
    /// Right after routing: captures the request's <see cref="RequestFacts"/> and lets every signal
    /// that is on observe the request (<see cref="RequestObservation"/>).
    /// </summary>
    public static IApplicationBuilder UseRequestObservation(this IApplicationBuilder app)
    {
        var observation = new RequestObservation([.. app.ApplicationServices.GetServices<IRequestObserver>()]);
        return app.Use(observation.InvokeAsync);
    }

    /// <summary>Marks the endpoints' <see cref="RequestKind"/> (probes and scrapes are not the service's work).</summary>
    public static TBuilder WithRequestKind<TBuilder>(this TBuilder builder, RequestKind kind)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestKindMetadata(kind));
}
