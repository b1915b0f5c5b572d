using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using MonitoredService.Observability.Http;

namespace MonitoredService.Observability.Tracing;

/// <summary>
/// The server span of a request: ASP.NET Core's own request activity (source
/// <see cref="SourceName"/>), named and tagged here as OpenTelemetry's HTTP server conventions say,
/// from the request's <see cref="RequestFacts"/>: the same route the metrics and logs report.
/// </summary>
/// <remarks>
/// Why not OpenTelemetry's ASP.NET Core instrumentation (docs/benchmarks.md): it subscribes to the
/// framework's DiagnosticListener, which makes every request, recorded or not, write start and stop
/// events through it; and .NET 10's hosting can tag the activity itself only at its start, for
/// every request, sampled or not. Here a request that is not recorded (90 % at the production
/// ratio) costs one look at its activity; a recorded one is tagged once, as it ends. The framework's
/// own tags stay off (<see cref="SuppressFrameworkTagsSwitch"/>), so that the tags are ours alone
/// on every .NET version.
/// </remarks>
internal static class ServerSpan
{
    /// <summary>The ActivitySource of ASP.NET Core's hosting.</summary>
    public const string SourceName = "Microsoft.AspNetCore";

    /// <summary>The AppContext switch that keeps the hosting from tagging its activity (its default on .NET 10, not after).</summary>
    public const string SuppressFrameworkTagsSwitch = "Microsoft.AspNetCore.Hosting.SuppressActivityOpenTelemetryData";

    /// <summary>
    /// Probes and scrapes leave the trace before the response starts (so that the
    /// <c>traceresponse</c> header says so too); a recorded API request is tagged when it ends.
    /// </summary>
    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpActivityFeature>()?.Activity is not { IsAllDataRequested: true } activity)
        {
            return next(context);
        }

        var facts = RequestFacts.Of(context);
        if (facts.Kind != RequestKind.Api)
        {
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            return next(context);
        }

        return TagAsync(context, next, activity, facts);
    }

    private static async Task TagAsync(HttpContext context, RequestDelegate next, Activity activity, RequestFacts facts)
    {
        var failed = true;
        try
        {
            await next(context);
            failed = false;
        }
        finally
        {
            Tag(activity, context, facts, ResponseStatus.Of(context, threw: failed));
        }
    }

    private static void Tag(Activity activity, HttpContext context, RequestFacts facts, int status)
    {
        var request = context.Request;
        activity.DisplayName = (facts.Method == RequestFacts.OtherMethod ? "HTTP" : facts.Method) + (facts.Route.Length > 0 ? " " + facts.Route : "");
        activity.SetTag("http.request.method", facts.Method);
        if (facts.Method == RequestFacts.OtherMethod)
        {
            activity.SetTag("http.request.method_original", request.Method);
        }

        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", (request.PathBase + request.Path).Value is { Length: > 0 } path ? path : "/");
        if (request.Host.HasValue)
        {
            activity.SetTag("server.address", request.Host.Host);
            activity.SetTag("server.port", request.Host.Port ?? (request.IsHttps ? 443 : 80));
        }

        activity.SetTag("network.protocol.version", ProtocolVersion(request.Protocol));
        if (request.Headers[HeaderNames.UserAgent] is [{ Length: > 0 } userAgent, ..])
        {
            activity.SetTag("user_agent.original", userAgent);
        }

        if (facts.Route.Length > 0)
        {
            activity.SetTag("http.route", facts.Route);
        }

        activity.SetTag("http.response.status_code", status);
        if (status >= StatusCodes.Status500InternalServerError)
        {
            // An exception recorded on the way (ActivityExceptions) has set both already: its type stays.
            if (activity.GetTagItem("error.type") is null)
            {
                activity.SetTag("error.type", status.ToString(CultureInfo.InvariantCulture));
            }

            if (activity.Status == ActivityStatusCode.Unset)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }

    private static string ProtocolVersion(string protocol) => protocol switch
    {
        "HTTP/1.1" => "1.1",
        "HTTP/2" => "2",
        "HTTP/3" => "3",
        "HTTP/1.0" => "1.0",
        _ => protocol,
    };
}
