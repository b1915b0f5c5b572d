using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace MonitoredService.Observability.Http;

/// <summary>
/// What every signal reports about a request, captured once, right after routing, and read by the
/// metrics, the request log and the span: the route template of the endpoint (never the raw path:
/// random paths must not create series), the method folded to a bounded set, the kind of request
/// (from the endpoint's <see cref="RequestKindMetadata"/>), the request's activity, when it started,
/// and once it completed, the status the client got and how long it took: one value for every
/// signal. The request itself is not changed.
/// </summary>
internal sealed class RequestFacts
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

    /// <summary>Route templates without their trailing slash, made once per template (the app's templates: a bounded set).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Trimmed = new(StringComparer.Ordinal);

    private long _endTimestamp;

    private RequestFacts(Endpoint? endpoint, string method, Activity? activity, long startTimestamp)
    {
        Route = endpoint is RouteEndpoint { RoutePattern.RawText: { } template }
            ? template.Length > 1 && template[^1] == '/' ? Trimmed.GetOrAdd(template, static t => t.TrimEnd('/')) : template
            : Unmatched;
        Method = KnownMethods.TryGetValue(method, out var known) ? known : OtherMethod;
        Kind = endpoint?.Metadata.GetMetadata<RequestKindMetadata>()?.Kind ?? RequestKind.Api;
        Activity = activity;
        StartTimestamp = startTimestamp;
    }

    /// <summary>The route template, e.g. <c>/api/items/{id}</c>, or <see cref="Unmatched"/>.</summary>
    public string Route { get; }

    /// <summary>The request's method if it is a standard one (the interned constant), else <see cref="OtherMethod"/>.</summary>
    public string Method { get; }

    public RequestKind Kind { get; }

    /// <summary>The request's activity (ASP.NET Core's; its trace and span ids are the request's), if there is one.</summary>
    public Activity? Activity { get; }

    /// <summary>When the request reached the observed pipeline (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long StartTimestamp { get; }

    /// <summary>The status code the client got, once the request completed (0 before).</summary>
    public int Status { get; private set; }

    /// <summary>How long the request took once it completed; before, the time since <see cref="StartTimestamp"/>.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(StartTimestamp, _endTimestamp != 0 ? _endTimestamp : Stopwatch.GetTimestamp());

    /// <summary>
    /// The facts captured for this request; for a request that never reached the capture (it failed
    /// before routing), facts computed now from what it has.
    /// </summary>
    public static RequestFacts Of(HttpContext context) => context.Features.Get<RequestFacts>() ?? Create(context);

    /// <summary>Right after routing (<see cref="RequestObservation"/>): the facts, captured before the exception handler clears the endpoint.</summary>
    internal static RequestFacts Capture(HttpContext context)
    {
        var facts = Create(context);
        context.Features.Set(facts);
        return facts;
    }

    /// <summary>Settles the status the client got and the duration, once, for every signal.</summary>
    internal void Complete(int status)
    {
        Status = status;
        _endTimestamp = Stopwatch.GetTimestamp();
    }

    private static RequestFacts Create(HttpContext context) => new(
        context.GetEndpoint(), context.Request.Method, context.Features.Get<IHttpActivityFeature>()?.Activity, Stopwatch.GetTimestamp());
}
