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
/// The logging work of one request: the completion event (built by the middleware), its ECS line
/// (formatted on the sink's background thread, but the CPU is the same two cores), the redaction
/// pre-check every line goes through, and the full redaction of a line that holds a secret.
/// </summary>
public class PerRequestLogging
{
    private static readonly MessageTemplate Template = new Serilog.Parsing.MessageTemplateParser().Parse(
        "HTTP {HttpRequestMethod} {UrlPath} responded {HttpResponseStatusCode} in {ElapsedMilliseconds:F3} ms (route {HttpRoute})");

    private static readonly ServiceIdentity Service = new("monitoredservice", "0.1.0", "abc1234", "production", "pod-1");
    private readonly EcsFormat _formatter = EcsFormat.Create(Service);
    private readonly Utf8Line _utf8 = new();
    private readonly StringWriter _output = new(CultureInfo.InvariantCulture);
    private LogEvent _event = null!;
    private string _line = null!;
    private string _lineWithSecret = null!;
    private RequestLoggingMiddleware _middleware = null!;
    private DefaultHttpContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var activity = new Activity("benchmark").Start();
        var logger = new LoggerConfiguration().MinimumLevel.Information().WriteTo.Sink(new FormattingSink(_formatter)).CreateLogger();
        _middleware = new RequestLoggingMiddleware(context => { context.Response.StatusCode = 200; return Task.CompletedTask; }, logger);
        _context = new DefaultHttpContext();
        _context.Request.Method = "GET";
        _context.Request.Path = "/api/items/42";
        RequestFacts.CaptureAsync(_context, _ => Task.CompletedTask).GetAwaiter().GetResult(); // as UseRequestFacts does
        _event = CompletionEvent();
        _formatter.Format(_event, _output);
        _line = _output.ToString();
        _lineWithSecret = _line.Replace("/api/items/42", "/api/items/42?connection=Host=db;Password=hunter2;", StringComparison.Ordinal);
        _output.GetStringBuilder().Clear();
    }

    [Benchmark(Description = "completion event: build it (as the middleware does)")]
    public LogEvent BuildCompletionEvent() => CompletionEvent();

    [Benchmark(Description = "completion event: format it as one ECS JSON line of UTF-8 (the stdout sink's path), redaction included")]
    public int FormatCompletionEvent()
    {
        _utf8.Clear();
        _formatter.Format(_event, _utf8);
        return _utf8.Length;
    }

    [Benchmark(Description = "request logging middleware: build, dispatch through Serilog, format")]
    public Task Middleware() => _middleware.InvokeAsync(_context);

    [Benchmark(Description = "redaction pre-check of a clean line")]
    public bool PreCheckCleanLine() => SecretRedactor.MayContainSecret(_line);

    [Benchmark(Description = "redaction of a line holding a connection string")]
    public string RedactLineWithSecret() => SecretRedactor.Redact(_lineWithSecret);

    private static LogEvent CompletionEvent() => LogEvent.UnstableAssembleFromParts(
        DateTimeOffset.UtcNow,
        LogEventLevel.Information,
        exception: null,
        Template,
        new Dictionary<string, LogEventPropertyValue>(6, StringComparer.Ordinal)
        {
            ["HttpRequestMethod"] = new ScalarValue("GET"),
            ["UrlPath"] = new ScalarValue("/api/items/42"),
            ["HttpResponseStatusCode"] = new ScalarValue(200),
            ["ElapsedMilliseconds"] = new ScalarValue(0.734),
            ["HttpRoute"] = new ScalarValue("/api/items/{id}"),
        },
        ActivityTraceId.CreateRandom(),
        ActivitySpanId.CreateRandom());

    /// <summary>Formats every event into a reused UTF-8 line: the sink's work, without the queue and the I/O.</summary>
    private sealed class FormattingSink(EcsFormat formatter) : ILogEventSink
    {
        private readonly Utf8Line _buffer = new();

        public void Emit(LogEvent logEvent)
        {
            _buffer.Clear();
            formatter.Format(logEvent, _buffer);
        }
    }
}
