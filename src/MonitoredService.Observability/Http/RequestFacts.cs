using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MonitoredService.Observability.Http;

/// <summary>
/// What every signal reports about a request, captured once, right after routing, and read by the
/// metrics, the request log and the span: the route template of the endpoint (never the raw path:
/// random paths must not create series), the method folded to a bounded set, the kind of request
/// (from the endpoint's <see cref="RequestKindMetadata"/>) and when it started. The request itself
/// is not changed.
/// </summary>
public sealed class RequestFacts
{
    /// <summary>The route of requests that matched no route (404, and 405 from routing).</summary>
    public const string Unmatched = "";

    /// <summary>Methods outside the HTTP standard fold into this value, as OpenTelemetry's conventions do.</summary>
    public const string OtherMethod = "_OTHER";

    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal)
    {
        HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete,
        HttpMethods.Patch, HttpMethods.Options, HttpMethods.Trace, HttpMethods.Connect,
    };

    private RequestFacts(Endpoint? endpoint, string method, long startTimestamp)
    {
        Route = endpoint is RouteEndpoint { RoutePattern.RawText: { } template }
            ? template.Length > 1 ? template.TrimEnd('/') : template
            : Unmatched;
        Method = KnownMethods.TryGetValue(method, out var known) ? known : OtherMethod;
        Kind = endpoint?.Metadata.GetMetadata<RequestKindMetadata>()?.Kind ?? RequestKind.Api;
        StartTimestamp = startTimestamp;
    }

    /// <summary>The route template, e.g. <c>/api/items/{id}</c>, or <see cref="Unmatched"/>.</summary>
    public string Route { get; }

    /// <summary>The request's method if it is a standard one (the interned constant), else <see cref="OtherMethod"/>.</summary>
    public string Method { get; }

    public RequestKind Kind { get; }

    /// <summary>When the request reached the observed pipeline (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long StartTimestamp { get; }

    /// <summary>Time since <see cref="StartTimestamp"/>.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(StartTimestamp);

    /// <summary>
    /// The facts captured for this request; for a request that never reached the capture (it failed
    /// before routing), facts computed now from what it has.
    /// </summary>
    public static RequestFacts Of(HttpContext context) =>
        context.Features.Get<RequestFacts>() ?? new RequestFacts(context.GetEndpoint(), context.Request.Method, Stopwatch.GetTimestamp());

    /// <summary>Runs right after routing: captures the facts before the exception handler clears the endpoint.</summary>
    internal static Task CaptureAsync(HttpContext context, RequestDelegate next)
    {
        context.Features.Set(new RequestFacts(context.GetEndpoint(), context.Request.Method, Stopwatch.GetTimestamp()));
        return next(context);
    }
}
