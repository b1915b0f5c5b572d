using Microsoft.AspNetCore.Builder;

namespace MonitoredService.Observability.Http;

public static class RequestFactsExtensions
{
    /// <summary>Right after routing: captures the request's <see cref="RequestFacts"/> for every signal.</summary>
    public static IApplicationBuilder UseRequestFacts(this IApplicationBuilder app) => app.Use(RequestFacts.CaptureAsync);

    /// <summary>Marks the endpoints' <see cref="RequestKind"/> (probes and scrapes are not the service's work).</summary>
    public static TBuilder WithRequestKind<TBuilder>(this TBuilder builder, RequestKind kind)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestKindMetadata(kind));
}
