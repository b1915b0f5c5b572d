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
/// ratio) costs two looks at its activity; a recorded one is tagged once, as it ends. The framework's
/// own tags stay off (<see cref="SuppressFrameworkTagsSwitch"/>), so that the tags are ours alone
/// on every .NET version.
/// </remarks>
internal sealed class ServerSpan : IRequestObserver
{
    /// <summary>The ActivitySource of ASP.NET Core's hosting.</summary>
    public const string SourceName = "Microsoft.AspNetCore";

    /// <summary>The AppContext switch that keeps the hosting from tagging its activity (its default on .NET 10, not after).</summary>
    public const string SuppressFrameworkTagsSwitch = "Microsoft.AspNetCore.Hosting.SuppressActivityOpenTelemetryData";

    /// <summary>Probes and scrapes leave the trace before the response starts (so that the <c>traceresponse</c> header says so too).</summary>
    public void OnStarted(HttpContext context, RequestFacts facts)
    {
        if (facts.Kind != RequestKind.Api && facts.Activity is { IsAllDataRequested: true } activity)
        {
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }

    /// <summary>A recorded request's span is named and tagged as it ends.</summary>
    public void OnCompleted(HttpContext context, RequestFacts facts)
    {
        if (facts.Activity is { IsAllDataRequested: true } activity)
        {
            Tag(activity, context.Request, facts);
        }
    }

    private static void Tag(Activity activity, HttpRequest request, RequestFacts facts)
    {
        var status = facts.Status;
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
