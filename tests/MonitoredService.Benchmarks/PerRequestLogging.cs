using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using MonitoredService.Observability;
using MonitoredService.Observability.Http;
using MonitoredService.Observability.Logging;
using MonitoredService.Observability.Redaction;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace MonitoredService.Benchmarks;

/// <summary>
/// The logging work of one request: the completion event (built by the request log), its ECS line
/// (formatted on the sink's background thread, but the CPU is the same two cores), the redaction
/// pre-check every line goes through, and the full redaction of a line that holds a secret.
/// </summary>
public class PerRequestLogging
{
    /// <summary>The same text as the completion template, another instance: the formatter's general path.</summary>
    private static readonly MessageTemplate GeneralTemplate = new Serilog.Parsing.MessageTemplateParser().Parse(RequestCompletionEvent.Template.Text);

    private static readonly ServiceIdentity Service = new("monitoredservice", "0.1.0", "abc1234", "production", "pod-1");
    private readonly EcsFormat _formatter = EcsFormat.Create(Service);
    private readonly Utf8Line _utf8 = new();
    private readonly StringWriter _output = new(CultureInfo.InvariantCulture);
    private LogEvent _event = null!;
    private LogEvent _generalEvent = null!;
    private string _line = null!;
    private string _lineWithSecret = null!;
    private RequestLog _requestLog = null!;
    private RequestFacts _facts = null!;
    private DefaultHttpContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var activity = new Activity("benchmark").Start();
        var logger = new LoggerConfiguration().MinimumLevel.Information().WriteTo.Sink(new HandOverSink()).CreateLogger();
        _requestLog = new RequestLog(logger);
        _context = new DefaultHttpContext();
        _context.Request.Method = "GET";
        _context.Request.Path = "/api/items/42";
        _facts = RequestFacts.Capture(_context); // as the request observation does, once per request
        _facts.Complete(StatusCodes.Status200OK);
        _event = CompletionEvent(RequestCompletionEvent.Template);
        _generalEvent = CompletionEvent(GeneralTemplate);
        _formatter.Format(_event, _output);
        _line = _output.ToString();
        _lineWithSecret = _line.Replace("/api/items/42", "/api/items/42?connection=Host=db;Password=hunter2;", StringComparison.Ordinal);
        _output.GetStringBuilder().Clear();
    }

    [Benchmark(Description = "completion event: build it (as the request log does)")]
    public LogEvent BuildCompletionEvent() => CompletionEvent(RequestCompletionEvent.Template);

    [Benchmark(Description = "completion event: format it as one ECS JSON line of UTF-8 (the stdout sink's path, the completion fast path), redaction included")]
    public int FormatCompletionEvent()
    {
        _utf8.Clear();
        _formatter.Format(_event, _utf8);
        return _utf8.Length;
    }

    [Benchmark(Description = "the same line through the formatter's general path (any other event)")]
    public int FormatCompletionEventTheGeneralWay()
    {
        _utf8.Clear();
        _formatter.Format(_generalEvent, _utf8);
        return _utf8.Length;
    }

    [Benchmark(Description = "request log: build, dispatch through Serilog, hand over (what the request's thread pays)")]
    public void RequestLog() => _requestLog.OnCompleted(_context, _facts);

    [Benchmark(Description = "redaction pre-check of a clean line")]
    public bool PreCheckCleanLine() => SecretRedactor.MayContainSecret(_line);

    [Benchmark(Description = "redaction of a line holding a connection string")]
    public string RedactLineWithSecret() => SecretRedactor.Redact(_lineWithSecret);

    private static LogEvent CompletionEvent(MessageTemplate template)
    {
        var logEvent = LogEvent.UnstableAssembleFromParts(
            DateTimeOffset.UtcNow,
            LogEventLevel.Information,
            exception: null,
            template,
            new Dictionary<string, LogEventPropertyValue>(6, StringComparer.Ordinal)
            {
                [RequestCompletionEvent.Method] = new ScalarValue("GET"),
                [RequestCompletionEvent.Path] = new ScalarValue("/api/items/42"),
                [RequestCompletionEvent.Status] = new ScalarValue(200),
                [RequestCompletionEvent.Elapsed] = new ScalarValue(0.734),
                [RequestCompletionEvent.Route] = new ScalarValue("/api/items/{id}"),
            },
            ActivityTraceId.CreateRandom(),
            ActivitySpanId.CreateRandom());
        logEvent.AddPropertyIfAbsent(new LogEventProperty(RequestCompletionEvent.SourceContext, new ScalarValue(RequestCompletionEvent.Category)));
        return logEvent; // as the request log's logger leaves it: with its SourceContext
    }

    /// <summary>The stdout sink's part on the logging thread: a completion event's fields read and appended to a list; the writer formats.</summary>
    private sealed class HandOverSink : ILogEventSink
    {
        private readonly List<(LogEvent? Event, RequestCompletionEvent.Fields Completion)> _events = new(1024);

        public void Emit(LogEvent logEvent)
        {
            if (_events.Count == _events.Capacity)
            {
                _events.Clear();
            }

            _events.Add(RequestCompletionEvent.TryRead(logEvent, out var completion) ? (null, completion) : (logEvent, default));
        }
    }
}
