using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace MonitoredService.Observability.Tracing;

/// <summary>
/// Adds the W3C Trace Context Level 2 <c>traceresponse</c> header (<c>00-{trace id}-{span id}-{flags}</c>)
/// to every response, so that a curl user can find the trace (and the logs) of a request.
/// Set when the response starts, so that it survives the exception handler clearing the headers.
/// </summary>
internal static class TraceResponseMiddleware
{
    public const string HeaderName = "traceresponse";

    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (Activity.Current is { } activity)
        {
            context.Response.OnStarting(static state =>
            {
                var (response, activity) = ((HttpResponse, Activity))state;
                response.Headers[HeaderName] = $"00-{activity.TraceId.ToHexString()}-{activity.SpanId.ToHexString()}-{(activity.Recorded ? "01" : "00")}";
                return Task.CompletedTask;
            }, (context.Response, activity));
        }

        return next(context);
    }
}
