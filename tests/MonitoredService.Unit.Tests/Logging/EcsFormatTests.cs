using System.Globalization;
using System.Text;
using System.Text.Json;
using MonitoredService.Observability;
using MonitoredService.Observability.Logging;
using Serilog.Events;
using Serilog.Parsing;

namespace MonitoredService.Unit.Tests.Logging;

/// <summary>The ECS line, field by field, and what it does with text that is not plain ASCII or holds a secret.</summary>
public sealed class EcsFormatTests
{
    private static readonly ServiceIdentity Service = new("monitoredservice", "1.2.3", "abc1234", "production", "pod-'7'");

    [Fact]
    public void AnEventWithAnExceptionBecomesOneEcsJsonLine()
    {
        var exception = Record(() => throw new InvalidOperationException("Store down: Password=hunter2;"));
        var logEvent = new LogEvent(
            new DateTimeOffset(2026, 11, 22, 17, 0, 0, TimeSpan.FromHours(1)),
            LogEventLevel.Warning,
            exception,
            new MessageTemplateParser().Parse("Check {HealthCheck} failed"),
            [
                new LogEventProperty("HealthCheck", new ScalarValue("store")),
                new LogEventProperty("SourceContext", new ScalarValue("MonitoredService.Tests")),
            ],
            System.Diagnostics.ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c"),
            System.Diagnostics.ActivitySpanId.CreateFromString("b7ad6b7169203331"));

        var text = Format(logEvent);

        text.Should().EndWith("\n").And.NotContain("hunter2");
        text.TrimEnd('\n').Should().NotContain("\n", "one event is one line");
        var json = JsonDocument.Parse(text).RootElement;
        json.GetProperty("@timestamp").GetString().Should().Be("2026-11-22T16:00:00.0000000Z");
        json.GetProperty("log.level").GetString().Should().Be("warn");
        json.GetProperty("message").GetString().Should().Be("Check store failed");
        json.GetProperty("ecs.version").GetString().Should().Be(EcsFormat.EcsVersion);
        json.GetProperty("log.logger").GetString().Should().Be("MonitoredService.Tests");
        json.GetProperty("service.name").GetString().Should().Be("monitoredservice");
        json.GetProperty("service.version").GetString().Should().Be("1.2.3");
        json.GetProperty("service.environment").GetString().Should().Be("production");
        json.GetProperty("trace.id").GetString().Should().Be("0af7651916cd43dd8448eb211c80319c");
        json.GetProperty("span.id").GetString().Should().Be("b7ad6b7169203331");
        json.GetProperty("error.type").GetString().Should().Be("System.InvalidOperationException");
        json.GetProperty("error.message").GetString().Should().Be("Store down: Password=***;");
        json.GetProperty("error.stack_trace").GetString().Should().Contain(nameof(AnEventWithAnExceptionBecomesOneEcsJsonLine));
        json.GetProperty("service.node.name").GetString().Should().Be("pod-'7'");
        json.GetProperty("HealthCheck").GetString().Should().Be("store", "unmapped properties are kept");
        json.TryGetProperty("SourceContext", out _).Should().BeFalse("mapped properties are not repeated");
    }

    [Fact]
    public void AnEventWithoutTraceOrErrorHasNoSuchFields()
    {
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null,
            new MessageTemplateParser().Parse("plain"), []);

        var json = JsonDocument.Parse(Format(logEvent)).RootElement;

        json.GetProperty("log.level").GetString().Should().Be("info");
        json.TryGetProperty("trace.id", out _).Should().BeFalse();
        json.TryGetProperty("error.type", out _).Should().BeFalse();
    }

    [Fact]
    public void TheMessageIsRenderedWithItsFormatsAndEscapedAndValuesKeepTheirJsonTypes()
    {
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null,
            new MessageTemplateParser().Parse("HTTP {Method} {Path} responded {Status} in {Elapsed:0.000} ms {Missing} {Flag}"),
            [
                new LogEventProperty("Method", new ScalarValue("GET")),
                new LogEventProperty("Path", new ScalarValue("/a\"b\n")),
                new LogEventProperty("Status", new ScalarValue(404)),
                new LogEventProperty("Elapsed", new ScalarValue(1.23456)),
                new LogEventProperty("Flag", new ScalarValue(true)),
                new LogEventProperty("Big", new ScalarValue(12_345_678_901L)),
                new LogEventProperty("Ratio", new ScalarValue(double.NaN)),
            ]);

        var json = JsonDocument.Parse(Format(logEvent)).RootElement;

        json.GetProperty("message").GetString().Should().Be("HTTP GET /a\"b\n responded 404 in 1.235 ms {Missing} True");
        json.GetProperty("Status").GetInt32().Should().Be(404);
        json.GetProperty("Elapsed").GetDouble().Should().Be(1.23456);
        json.GetProperty("Big").GetInt64().Should().Be(12_345_678_901L);
        json.GetProperty("Flag").GetBoolean().Should().BeTrue();
        json.GetProperty("Ratio").GetString().Should().Be("NaN", "JSON has no NaN: Serilog writes it as a string");
    }

    [Fact]
    public void TextBeyondAsciiStructuredValuesAndUnpairedSurrogatesAreWrittenAsValidUtf8Json()
    {
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null,
            new MessageTemplateParser().Parse("Größe {Name} {Broken}"),
            [
                new LogEventProperty("Name", new ScalarValue("日本 🙂")),
                new LogEventProperty("Broken", new ScalarValue("a\ud800b")),
                new LogEventProperty("EventId", new StructureValue([
                    new LogEventProperty("Id", new ScalarValue(7)), new LogEventProperty("Name", new ScalarValue("Überblick"))])),
            ]);

        var json = JsonDocument.Parse(Format(logEvent)).RootElement;

        json.GetProperty("message").GetString().Should().Be("Größe 日本 🙂 a\ufffdb");
        json.GetProperty("Name").GetString().Should().Be("日本 🙂");
        json.GetProperty("Broken").GetString().Should().Be("a\ufffdb", "an unpaired surrogate cannot be UTF-8");
        json.GetProperty("EventId").GetProperty("Id").GetInt32().Should().Be(7);
        json.GetProperty("EventId").GetProperty("Name").GetString().Should().Be("Überblick");
    }

    [Theory]
    [InlineData("/reset/token=abc123def", "/reset/token=***")]
    [InlineData("/größe/token=abc123def", "/größe/token=***")] // not ASCII: the pre-check cannot read it as text and defers to the full pass
    public void ASecretAnywhereInTheLineIsMasked(string path, string masked)
    {
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null,
            new MessageTemplateParser().Parse("GET {UrlPath}"), [new LogEventProperty("UrlPath", new ScalarValue(path))]);

        var json = JsonDocument.Parse(Format(logEvent)).RootElement;

        json.GetProperty("url.path").GetString().Should().Be(masked);
        json.GetProperty("message").GetString().Should().Be($"GET {masked}");
    }

    [Fact]
    public void ASecretAtTheEndOfALongLineIsMasked()
    {
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null,
            new MessageTemplateParser().Parse("{Padding} then {Connection}"),
            [
                new LogEventProperty("Padding", new ScalarValue(new string('x', 5_000))),
                new LogEventProperty("Connection", new ScalarValue("Host=db;Password=hunter2;")),
            ]);

        var text = Format(logEvent);

        text.Should().NotContain("hunter2").And.Contain("Password=***;");
        JsonDocument.Parse(text).RootElement.GetProperty("Padding").GetString().Should().HaveLength(5_000);
    }

    [Fact]
    public void TheLineTheStdoutSinkWritesIsTheTextLineInUtf8()
    {
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Error, null,
            new MessageTemplateParser().Parse("Größe {N}"), [new LogEventProperty("N", new ScalarValue(1.5))],
            System.Diagnostics.ActivityTraceId.CreateRandom(), System.Diagnostics.ActivitySpanId.CreateRandom());
        var line = new Utf8Line();

        ((IUtf8Formatter)EcsFormat.Create(Service)).Format(logEvent, line);

        Encoding.UTF8.GetString(line.Written).Should().Be(Format(logEvent));
    }

    [Theory]
    [InlineData("GET", "/api/items/42", 200, 0.4521, "/api/items/{id}", true)]
    [InlineData("POST", "/api/items", 201, 1234.56789, "/api/items", false)]
    [InlineData("GET", "/a\"b\\c\n\u0001", 404, 0.0001, "", true)]
    [InlineData("_OTHER", "/größe/日本 🙂/a\ud800b", 405, 12.5, "", true)]
    [InlineData("DELETE", "/api/items/7", 503, 5000.0, "/api/items/{id}", true)]
    [InlineData("GET", "/reset/token=abc123def", 404, 1.0, "", true)]
    [InlineData("GET", "/größe/password=hunter2", 404, 1.0, "", false)]
    [InlineData("GET", "/u/https://user:hunter2@example.com/", 404, 1.0, "", true)]
    public void TheCompletionLineIsTheLineTheGeneralPathWrites(string method, string path, int status, double elapsed, string route, bool traced)
    {
        var fast = Completion(RequestCompletionEvent.Template, method, path, status, elapsed, route, traced);
        var general = Completion(new MessageTemplateParser().Parse(RequestCompletionEvent.Template.Text), method, path, status, elapsed, route, traced);
        RequestCompletionEvent.TryRead(fast, out _).Should().BeTrue();
        RequestCompletionEvent.TryRead(general, out _).Should().BeFalse("another template takes the general path");

        foreach (var service in new[] { Service, new ServiceIdentity("token-service", "1.0.0", "abc", "secret-env", "pod-1") })
        {
            var line = Format(fast, service);

            line.Should().Be(Format(general, service));
            line.Should().NotContain("hunter2").And.NotContain("abc123def");
            JsonDocument.Parse(line).RootElement.GetProperty("http.response.status_code").GetInt32().Should().Be(status);
        }
    }

    [Fact]
    public void AFormatterThatFoundARouteCleanStillMasksAnotherThatIsNot()
    {
        var formatter = (IUtf8Formatter)EcsFormat.Create(Service);
        var clean = Completion(RequestCompletionEvent.Template, "GET", "/api/items/1", 200, 1.0, "/api/items/{id}", traced: true);
        var secret = Completion(RequestCompletionEvent.Template, "GET", "/x", 200, 1.0, "/x/token=abc123def", traced: true);

        foreach (var logEvent in new[] { clean, secret, clean, secret })
        {
            var line = new Utf8Line();
            formatter.Format(logEvent, line);
            Encoding.UTF8.GetString(line.Written).Should().NotContain("abc123def").And.Contain("\"http.route\":");
        }
    }

    [Fact]
    public void TheTimestampIsTheRoundTripFormatAcrossSeconds()
    {
        var timestamps = new Utf8Timestamp();
        var random = new Random(42);
        var start = new DateTime(2026, 12, 31, 23, 59, 58, DateTimeKind.Utc).Ticks;
        foreach (var ticks in Enumerable.Range(0, 2_000).Select(_ => start + random.NextInt64(0, 3 * TimeSpan.TicksPerSecond)).Append(start).Append(start + 9_999_999))
        {
            var time = new DateTime(ticks, DateTimeKind.Utc);
            var line = new Utf8Line();

            timestamps.Write(time, line);

            Encoding.UTF8.GetString(line.Written).Should().Be(time.ToString("O", CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void ACompletionEventWithAPropertyAnEnricherAddedKeepsIt()
    {
        var logEvent = Completion(RequestCompletionEvent.Template, "GET", "/api/items/1", 200, 1.5, "/api/items/{id}", traced: true);
        logEvent.AddPropertyIfAbsent(new LogEventProperty("MachineName", new ScalarValue("vm-1")));

        RequestCompletionEvent.TryRead(logEvent, out _).Should().BeFalse();
        var json = JsonDocument.Parse(Format(logEvent)).RootElement;
        json.GetProperty("MachineName").GetString().Should().Be("vm-1");
        json.GetProperty("url.path").GetString().Should().Be("/api/items/1");
        json.GetProperty("event.duration").GetInt64().Should().Be(1_500_000);
    }

    /// <summary>A completion event as the middleware makes it: five properties, then the logger's SourceContext.</summary>
    private static LogEvent Completion(MessageTemplate template, string method, string path, int status, double elapsed, string route, bool traced)
    {
        var logEvent = LogEvent.UnstableAssembleFromParts(
            new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero),
            status >= 500 ? LogEventLevel.Error : LogEventLevel.Information,
            exception: null,
            template,
            new Dictionary<string, LogEventPropertyValue>(6, StringComparer.Ordinal)
            {
                [RequestCompletionEvent.Method] = new ScalarValue(method),
                [RequestCompletionEvent.Path] = new ScalarValue(path),
                [RequestCompletionEvent.Status] = new ScalarValue(status),
                [RequestCompletionEvent.Elapsed] = new ScalarValue(elapsed),
                [RequestCompletionEvent.Route] = new ScalarValue(route),
            },
            traced ? System.Diagnostics.ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c") : default,
            traced ? System.Diagnostics.ActivitySpanId.CreateFromString("b7ad6b7169203331") : default);
        logEvent.AddPropertyIfAbsent(new LogEventProperty(RequestCompletionEvent.SourceContext, new ScalarValue("MonitoredService.Observability.Logging.RequestLoggingMiddleware")));
        return logEvent;
    }

    private static string Format(LogEvent logEvent, ServiceIdentity service)
    {
        var line = new Utf8Line();
        ((IUtf8Formatter)EcsFormat.Create(service)).Format(logEvent, line);
        return Encoding.UTF8.GetString(line.Written);
    }

    private static string Format(LogEvent logEvent)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        EcsFormat.Create(Service).Format(logEvent, output);
        return output.ToString();
    }

    private static Exception Record(Action throws)
    {
        try
        {
            throws();
        }
        catch (Exception ex)
        {
            return ex;
        }

        throw new InvalidOperationException("expected an exception");
    }
}
