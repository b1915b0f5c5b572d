using System.Text;
using MonitoredService.Observability.Logging;
using Prometheus;
using Serilog.Events;
using Serilog.Parsing;

namespace MonitoredService.Unit.Tests.Logging;

/// <summary>The stdout sink's queue: nothing lost under concurrent writers, a bound that drops and counts.</summary>
public sealed class StdoutSinkTests
{
    private static readonly MessageTemplate Template = new MessageTemplateParser().Parse("event {N}");

    [Fact]
    public void EveryEventOfConcurrentWritersReachesStdoutOnceInEachWritersOrder()
    {
        var (metrics, registry) = Metrics();
        var stdout = new MemoryStream();
        var sink = new StdoutSink(new LineFormatter(), stdout, capacity: 100_000, metrics);

        Parallel.For(0, 4, writer =>
        {
            for (var n = 0; n < 5_000; n++)
            {
                sink.Emit(Event($"{writer}:{n}"));
            }
        });
        sink.Dispose();

        var lines = Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(20_000).And.OnlyHaveUniqueItems();
        foreach (var writer in Enumerable.Range(0, 4))
        {
            lines.Where(line => line.StartsWith($"{writer}:", StringComparison.Ordinal))
                .Select(line => int.Parse(line.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture))
                .Should().BeInAscendingOrder();
        }

        Dropped(registry).Should().Be(0);
    }

    [Fact]
    public void WhenStdoutBlocksTheQueueStopsAtItsBoundAndEveryDropIsCounted()
    {
        var (metrics, registry) = Metrics();
        using var stdout = new BlockingStream();
        var sink = new StdoutSink(new LineFormatter(), stdout, capacity: 10, metrics);

        sink.Emit(Event("first"));
        stdout.Blocked.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue("the writer takes the first event and blocks on stdout");
        for (var n = 0; n < 100; n++)
        {
            sink.Emit(Event($"x:{n}"));
        }

        Dropped(registry).Should().Be(90, "10 fit in the queue, the other 90 are dropped and counted");
        stdout.Release();
        sink.Dispose();

        Encoding.UTF8.GetString(stdout.Written).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Should().Equal(["first", .. Enumerable.Range(0, 10).Select(n => $"x:{n}")]);
        Dropped(registry).Should().Be(90, "nothing was dropped at shutdown");
    }

    [Fact]
    public void TheLoggingThreadOnlyHandsTheEventOverAndTheWriterFormatsIt()
    {
        var (metrics, _) = Metrics();
        var stdout = new MemoryStream();
        var formatter = new ThreadRecordingFormatter();
        var sink = new StdoutSink(formatter, stdout, capacity: 100, metrics);

        sink.Emit(Event("one"));
        sink.Emit(Event("two"));
        sink.Dispose();

        formatter.Threads.Should().Equal("stdout log writer", "stdout log writer");
        Encoding.UTF8.GetString(stdout.ToArray()).Should().Be("one\ntwo\n");
    }

    [Fact]
    public void ARequestsCompletionLineIsReadWhenItIsEmittedAndWrittenByTheWriter()
    {
        var (metrics, _) = Metrics();
        var stdout = new MemoryStream();
        var formatter = new ThreadRecordingFormatter();
        var sink = new StdoutSink(formatter, stdout, capacity: 100, metrics);
        var completion = Completion("/api/items/7");

        sink.Emit(completion);
        completion.AddOrUpdateProperty(new LogEventProperty(RequestCompletionEvent.Path, new ScalarValue("/changed/after/emit")));
        sink.Emit(Event("other"));
        sink.Dispose();

        Encoding.UTF8.GetString(stdout.ToArray()).Should().Be("completion /api/items/7 200\nother\n", "the writer writes the fields as they were when the event was emitted");
        formatter.Threads.Should().Equal("stdout log writer", "stdout log writer");
    }

    [Fact]
    public void UnderASteadyFlowOfEventsNoEmittingThreadHasToWakeTheWriter()
    {
        var (metrics, _) = Metrics();
        var stdout = new MemoryStream();
        var window = TimeSpan.FromMilliseconds(200); // long, so that a slow moment of the test machine is not a quiet window
        var sink = new StdoutSink(new LineFormatter(), stdout, capacity: 1_000, metrics, window);

        for (var n = 0; n < 200; n++) // an event every 5 ms or so: 40 per window, over about five windows
        {
            sink.Emit(Event($"e:{n}"));
            Thread.Sleep(5);
        }

        var wakes = sink.Wakes;
        sink.Dispose();

        wakes.Should().BeLessThan(3, "the writer parks only after a whole window without an event (the first event wakes it once)");
        Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Should().Equal(Enumerable.Range(0, 200).Select(n => $"e:{n}"));
    }

    [Fact]
    public void AWriterThatFoundNothingForAWindowParksAndTheNextEventWakesIt()
    {
        var (metrics, _) = Metrics();
        var stdout = new MemoryStream();
        var sink = new StdoutSink(new LineFormatter(), stdout, capacity: 100, metrics, TimeSpan.FromMilliseconds(20));

        sink.Emit(Event("first"));
        WaitUntil(() => stdout.Length > 0 && sink.Parked);
        var wakes = sink.Wakes;
        sink.Emit(Event("second"));
        WaitUntil(() => stdout.Length == "first\nsecond\n".Length);
        sink.Dispose();

        sink.Wakes.Should().Be(wakes + 1, "the second event found the writer parked after a quiet window, and woke it");
        Encoding.UTF8.GetString(stdout.ToArray()).Should().Be("first\nsecond\n");
    }

    [Fact]
    public void AnEventThatCannotBeFormattedIsCountedAndTheOthersAreWritten()
    {
        var (metrics, registry) = Metrics();
        var stdout = new MemoryStream();
        var sink = new StdoutSink(new LineFormatter(), stdout, capacity: 100, metrics);

        sink.Emit(Event("before"));
        sink.Emit(Event("broken"));
        sink.Emit(Event("after"));
        sink.Dispose();

        Encoding.UTF8.GetString(stdout.ToArray()).Should().Be("before\nafter\n", "no part of the broken line is written");
        Dropped(registry).Should().Be(1);
    }

    /// <summary>A completion event as the request log makes it (its properties in their order, then the logger's name).</summary>
    private static LogEvent Completion(string path) => LogEvent.UnstableAssembleFromParts(
        DateTimeOffset.UnixEpoch,
        LogEventLevel.Information,
        exception: null,
        RequestCompletionEvent.Template,
        new Dictionary<string, LogEventPropertyValue>
        {
            [RequestCompletionEvent.Method] = new ScalarValue("GET"),
            [RequestCompletionEvent.Path] = new ScalarValue(path),
            [RequestCompletionEvent.Status] = new ScalarValue(200),
            [RequestCompletionEvent.Elapsed] = new ScalarValue(1.5),
            [RequestCompletionEvent.Route] = new ScalarValue("/api/items/{id}"),
            [RequestCompletionEvent.SourceContext] = new ScalarValue(RequestCompletionEvent.Category),
        },
        traceId: default,
        spanId: default);

    /// <summary>Polls; the bound only catches a hang.</summary>
    private static void WaitUntil(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
            Thread.Sleep(1);
        }
    }

    private static LogEvent Event(string text) =>
        new(DateTimeOffset.UnixEpoch, LogEventLevel.Information, null, Template, [new LogEventProperty("N", new ScalarValue(text))]);

    private static (LogShippingMetrics Metrics, CollectorRegistry Registry) Metrics()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        return (new LogShippingMetrics(Prometheus.Metrics.WithCustomRegistry(registry), registry), registry);
    }

    private static double Dropped(CollectorRegistry registry)
    {
        using var text = new MemoryStream();
        registry.CollectAndExportAsTextAsync(text).GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(text.ToArray()).Split('\n')
            .Where(line => line.StartsWith("monitoredservice_log_events_dropped_total{sink=\"console\"", StringComparison.Ordinal))
            .Sum(line => double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The event's N and a newline; an event whose N is "broken" fails half-way through its line.</summary>
    private sealed class LineFormatter : IUtf8Formatter
    {
        public void Format(LogEvent logEvent, Utf8Line output)
        {
            var text = (string)((ScalarValue)logEvent.Properties["N"]).Value!;
            output.Write(Encoding.UTF8.GetBytes(text));
            if (text == "broken")
            {
                throw new FormatException("half a line");
            }

            output.Write((byte)'\n');
        }

        public void Format(in RequestCompletionEvent.Fields completion, Utf8Line output) =>
            output.Write(Encoding.UTF8.GetBytes($"completion {completion.Path} {completion.Status}\n"));
    }

    private sealed class ThreadRecordingFormatter : IUtf8Formatter
    {
        private readonly LineFormatter _lines = new();

        public List<string?> Threads { get; } = [];

        public void Format(LogEvent logEvent, Utf8Line output)
        {
            Threads.Add(Thread.CurrentThread.Name);
            _lines.Format(logEvent, output);
        }

        public void Format(in RequestCompletionEvent.Fields completion, Utf8Line output)
        {
            Threads.Add(Thread.CurrentThread.Name);
            _lines.Format(completion, output);
        }
    }

    /// <summary>A stdout whose writes block until released (a pipe nobody reads).</summary>
    private sealed class BlockingStream : MemoryStream
    {
        private readonly ManualResetEventSlim _released = new();

        public ManualResetEventSlim Blocked { get; } = new();

        public byte[] Written => ToArray();

        public void Release() => _released.Set();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Blocked.Set();
            _released.Wait();
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Blocked.Set();
            _released.Wait();
            base.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Blocked.Set();
            _released.Wait(cancellationToken);
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Blocked.Set();
            _released.Wait(cancellationToken);
            return base.WriteAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            _released.Dispose();
            Blocked.Dispose();
            base.Dispose(disposing);
        }
    }
}
