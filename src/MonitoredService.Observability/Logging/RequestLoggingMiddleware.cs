using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MonitoredService.Observability.Health;
using MonitoredService.Observability.Http;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// One completion event per request: method, path, route template, status, duration (the trace id
/// comes with the event). Error for 5xx, Debug for probes and scrapes, Information for the rest.
/// The path never carries the query string.
/// </summary>
internal sealed partial class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            await next(context);
            failed = false;
        }
        finally
        {
            var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            var route = RequestLabels.Of(context).Route;
            var level = status >= 500 ? LogLevel.Error
                : route.StartsWith(HealthPaths.Prefix, StringComparison.Ordinal) || route == "/metrics" ? LogLevel.Debug
                : LogLevel.Information;
            if (logger.IsEnabled(level))
            {
                LogCompleted(logger, level, context.Request.Method, context.Request.PathBase + context.Request.Path,
                    status, Stopwatch.GetElapsedTime(start).TotalMilliseconds, route);
            }
        }
    }

    [LoggerMessage(EventId = 1, EventName = "RequestCompleted",
        Message = "HTTP {HttpRequestMethod} {UrlPath} responded {HttpResponseStatusCode} in {ElapsedMilliseconds:0.000} ms (route {HttpRoute})")]
    private static partial void LogCompleted(ILogger logger, LogLevel level, string httpRequestMethod, string urlPath,
        int httpResponseStatusCode, double elapsedMilliseconds, string httpRoute);
}
