using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MonitoredService.Observability.Http;

/// <summary>
/// The bounded labels every signal uses for a request: the route template of the endpoint that
/// served it (never the raw path: random paths must not create series) and its method.
/// </summary>
public sealed class RequestLabels
{
    /// <summary>The value for requests that matched no route (404, and 405 from routing).</summary>
    public const string Unmatched = "";

    /// <summary>Methods outside the HTTP standard fold into this value, as OpenTelemetry's conventions do.</summary>
    public const string OtherMethod = "_OTHER";

    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal)
    {
        HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete,
        HttpMethods.Patch, HttpMethods.Options, HttpMethods.Trace, HttpMethods.Connect,
    };

    private RequestLabels(string route) => Route = route;

    /// <summary>The route template, e.g. <c>/api/items/{id}</c>, or <see cref="Unmatched"/>.</summary>
    public string Route { get; }

    /// <summary>The labels captured for this request, or (before capture) computed from its endpoint.</summary>
    public static RequestLabels Of(HttpContext context) =>
        context.Features.Get<RequestLabels>() ?? new RequestLabels(RouteOf(context.GetEndpoint()));

    /// <summary>
    /// Runs right after routing: captures the route before the exception handler clears the endpoint,
    /// and folds unknown methods (which no endpoint serves anyway) into <see cref="OtherMethod"/>.
    /// </summary>
    internal static Task CaptureAsync(HttpContext context, RequestDelegate next)
    {
        context.Features.Set(new RequestLabels(RouteOf(context.GetEndpoint())));
        if (!KnownMethods.Contains(context.Request.Method))
        {
            context.Request.Method = OtherMethod;
        }

        return next(context);
    }

    private static string RouteOf(Endpoint? endpoint) =>
        endpoint is RouteEndpoint { RoutePattern.RawText: { } template }
            ? template.Length > 1 ? template.TrimEnd('/') : template
            : Unmatched;
}
