using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using MonitoredService.Observability.Http;
using Serilog.Events;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// One completion event per request: method, path, route template, status and duration (from the
/// request's settled <see cref="RequestFacts"/>), and the request's trace and span ids. Error for
/// 5xx, Debug for probes and scrapes, Information for the rest. The path never carries the query
/// string. Written straight to Serilog as a ready event (the hot path: no logging-abstraction
/// state, scopes or event-id structures to convert), its properties in a dictionary of the size
/// they need (Serilog's public constructor grows one as it adds them), with the bounded values made
/// once. It is not enriched from the log context (<see cref="RequestCompletionEvent.Is"/>): the
/// hosting scope's RequestId, RequestPath and ConnectionId repeat what the line says or mean
/// nothing to an operator.
/// </summary>
internal sealed class RequestLog(Serilog.ILogger logger) : IRequestObserver
{
    private readonly Serilog.ILogger _logger = logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, RequestCompletionEvent.Category);

    // Bounded: the method is folded, the route is a template of the app, the status three digits.
    private readonly ConcurrentDictionary<string, ScalarValue> _methods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ScalarValue> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, ScalarValue> _statuses = new();

    public void OnStarted(HttpContext context, RequestFacts facts)
    {
    }

    public void OnCompleted(HttpContext context, RequestFacts facts)
    {
        var level = facts.Status >= 500 ? LogEventLevel.Error
            : facts.Kind != RequestKind.Api ? LogEventLevel.Debug
            : LogEventLevel.Information;
        if (!_logger.IsEnabled(level))
        {
            return;
        }

        var properties = new Dictionary<string, LogEventPropertyValue>(6, StringComparer.Ordinal) // 5 and the SourceContext the logger adds
        {
            [RequestCompletionEvent.Method] = _methods.GetOrAdd(facts.Method, static method => new ScalarValue(method)),
            [RequestCompletionEvent.Path] = new ScalarValue((context.Request.PathBase + context.Request.Path).Value),
            [RequestCompletionEvent.Status] = _statuses.GetOrAdd(facts.Status, static code => new ScalarValue(code)),
            [RequestCompletionEvent.Elapsed] = new ScalarValue(facts.Elapsed.TotalMilliseconds),
            [RequestCompletionEvent.Route] = _routes.GetOrAdd(facts.Route, static route => new ScalarValue(route)),
        };
        var activity = facts.Activity;
        _logger.Write(LogEvent.UnstableAssembleFromParts(
            DateTimeOffset.UtcNow, level, exception: null, RequestCompletionEvent.Template, properties, activity?.TraceId ?? default, activity?.SpanId ?? default));
    }
}
