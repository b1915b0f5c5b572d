using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using MonitoredService.Observability.Http;
using Serilog.Context;
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

    // Bounded: the method is folded, the route is a template of the app, the status three digits.
    private readonly ConcurrentDictionary<string, LogEventProperty> _methods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LogEventProperty> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, LogEventProperty> _statuses = new();

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
                using var outsideTheLogContext = LogContext.Suspend();
                _logger.Write(new LogEvent(
                    DateTimeOffset.UtcNow,
                    level,
                    exception: null,
                    Template,
                    [
                        _methods.GetOrAdd(facts.Method, static method => new LogEventProperty("HttpRequestMethod", new ScalarValue(method))),
                        new LogEventProperty("UrlPath", new ScalarValue((context.Request.PathBase + context.Request.Path).Value)),
                        _statuses.GetOrAdd(status, static code => new LogEventProperty("HttpResponseStatusCode", new ScalarValue(code))),
                        new LogEventProperty("ElapsedMilliseconds", new ScalarValue(facts.Elapsed.TotalMilliseconds)),
                        _routes.GetOrAdd(facts.Route, static route => new LogEventProperty("HttpRoute", new ScalarValue(route))),
                    ],
                    activity?.TraceId ?? default,
                    activity?.SpanId ?? default));
            }
        }
    }
}
