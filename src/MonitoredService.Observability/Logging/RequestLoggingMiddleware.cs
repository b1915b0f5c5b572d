using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using MonitoredService.Observability.Http;
using Serilog.Events;
using Serilog.Parsing;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// One completion event per request: method, path, route template, status, duration (from the
/// request's <see cref="RequestFacts"/>), and the request's trace and span ids. Error for 5xx, Debug
/// for probes and scrapes, Information for the rest. The path never carries the query string. Written straight to Serilog as a ready event
/// (the hot path: no logging-abstraction state, scopes or event-id structures to convert).
/// </summary>
internal sealed class RequestLoggingMiddleware(RequestDelegate next, Serilog.ILogger logger)
{
    private static readonly MessageTemplate Template = new MessageTemplateParser().Parse(
        "HTTP {HttpRequestMethod} {UrlPath} responded {HttpResponseStatusCode} in {ElapsedMilliseconds:0.000} ms (route {HttpRoute})");

    private readonly Serilog.ILogger _logger = logger.ForContext<RequestLoggingMiddleware>();

    public async Task InvokeAsync(HttpContext context)
    {
        var failed = true;
        try
        {
            await next(context);
            failed = false;
        }
        finally
        {
            var status = ResponseStatus.Of(context, threw: failed);
            var facts = RequestFacts.Of(context);
            var level = status >= 500 ? LogEventLevel.Error
                : facts.Kind != RequestKind.Api ? LogEventLevel.Debug
                : LogEventLevel.Information;
            if (_logger.IsEnabled(level))
            {
                var activity = Activity.Current;
                _logger.Write(new LogEvent(
                    DateTimeOffset.Now,
                    level,
                    exception: null,
                    Template,
                    [
                        new LogEventProperty("HttpRequestMethod", new ScalarValue(facts.Method)),
                        new LogEventProperty("UrlPath", new ScalarValue((context.Request.PathBase + context.Request.Path).Value)),
                        new LogEventProperty("HttpResponseStatusCode", new ScalarValue(status)),
                        new LogEventProperty("ElapsedMilliseconds", new ScalarValue(facts.Elapsed.TotalMilliseconds)),
                        new LogEventProperty("HttpRoute", new ScalarValue(facts.Route)),
                    ],
                    activity?.TraceId ?? default,
                    activity?.SpanId ?? default));
            }
        }
    }
}
