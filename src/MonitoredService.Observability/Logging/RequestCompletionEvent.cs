using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using Serilog.Events;
using Serilog.Parsing;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// The request-completion event (<see cref="RequestLog"/> writes it, one per request): its
/// category, template and property names in one place, for the observer that makes it and for the
/// formatter that writes it on its fast path (<see cref="TryRead"/>).
/// </summary>
internal static class RequestCompletionEvent
{
    /// <summary>
    /// The events' logger name (<c>log.logger</c>), and the category whose level operators set
    /// (docs/operations.md): the name of the middleware that first wrote them, kept so that
    /// configurations and saved searches that name it still work.
    /// </summary>
    public const string Category = "MonitoredService.Observability.Logging.RequestLoggingMiddleware";

    public const string Method = "HttpRequestMethod";
    public const string Path = "UrlPath";
    public const string Status = "HttpResponseStatusCode";
    public const string Elapsed = "ElapsedMilliseconds";
    public const string Route = "HttpRoute";
    public const string SourceContext = "SourceContext";

    public static readonly MessageTemplate Template = new MessageTemplateParser().Parse(
        $"HTTP {{{Method}}} {{{Path}}} responded {{{Status}}} in {{{Elapsed}:{JsonText.Thousandths}}} ms (route {{{Route}}})");

    /// <summary>Whether the event is a request-completion event.</summary>
    public static bool Is(LogEvent logEvent) => ReferenceEquals(logEvent.MessageTemplate, Template);

    /// <summary>
    /// The fields of a completion event as the request observation made it: its five properties, in
    /// their order, then the logger's SourceContext, and nothing else (an enricher that adds a property
    /// sends the event the general way); with the event's time, level and ids, all a line needs.
    /// </summary>
    public static bool TryRead(LogEvent logEvent, out Fields fields)
    {
        fields = default;
        if (!Is(logEvent) || logEvent.Exception is not null || logEvent.Properties is not Dictionary<string, LogEventPropertyValue> { Count: 6 } properties)
        {
            return false;
        }

        LogEventPropertyValue? method = null, path = null, status = null, elapsed = null, route = null, sourceContext = null;
        var index = 0;
        foreach (var (name, value) in properties) // Serilog's own dictionary: in the order the properties were added
        {
            switch (index++)
            {
                case 0 when name == Method: method = value; break;
                case 1 when name == Path: path = value; break;
                case 2 when name == Status: status = value; break;
                case 3 when name == Elapsed: elapsed = value; break;
                case 4 when name == Route: route = value; break;
                case 5 when name == SourceContext: sourceContext = value; break;
                default: return false;
            }
        }

        if (method is ScalarValue { Value: string methodText }
            && path is ScalarValue { Value: string pathText }
            && status is ScalarValue { Value: int statusCode }
            && elapsed is ScalarValue { Value: double milliseconds } && double.IsFinite(milliseconds)
            && route is ScalarValue { Value: string routeText }
            && sourceContext is ScalarValue { Value: string sourceContextText })
        {
            fields = new Fields(logEvent.Timestamp, logEvent.Level, new HexIds(logEvent.TraceId, logEvent.SpanId), methodText, pathText, statusCode, milliseconds, routeText, sourceContextText);
            return true;
        }

        return false;
    }

    public readonly record struct Fields(
        DateTimeOffset Timestamp,
        LogEventLevel Level,
        HexIds Ids,
        string Method,
        string Path,
        int Status,
        double ElapsedMilliseconds,
        string Route,
        string SourceContext);

    /// <summary>
    /// A line's trace and span ids as the ASCII hex it writes, copied when the event is emitted: the
    /// writer then reads them from the queued fields, not from two id strings a request thread
    /// made on the other core (their first touch, with the path's, was a fifth of the writer's
    /// samples, docs/benchmarks.md).
    /// </summary>
    public readonly struct HexIds
    {
        private const int TraceLength = 32;
        private const int SpanLength = 16;

        private readonly Hex _hex;
        private readonly bool _hasTrace;
        private readonly bool _hasSpan;

        public HexIds(ActivityTraceId? trace, ActivitySpanId? span)
        {
            if (trace is { } traceId)
            {
                _hasTrace = Ascii.FromUtf16(traceId.ToHexString(), _hex[..TraceLength], out _) == OperationStatus.Done;
            }

            if (span is { } spanId)
            {
                _hasSpan = Ascii.FromUtf16(spanId.ToHexString(), _hex[TraceLength..], out _) == OperationStatus.Done;
            }
        }

        /// <summary>The trace id's 32 hex digits, or nothing.</summary>
        [UnscopedRef]
        public ReadOnlySpan<byte> Trace => _hasTrace ? _hex[..TraceLength] : [];

        /// <summary>The span id's 16 hex digits, or nothing.</summary>
        [UnscopedRef]
        public ReadOnlySpan<byte> Span => _hasSpan ? _hex[TraceLength..] : [];

        [InlineArray(TraceLength + SpanLength)]
        private struct Hex
        {
            private byte _first;
        }
    }
}
