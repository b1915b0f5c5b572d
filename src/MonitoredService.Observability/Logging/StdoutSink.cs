using System.Buffers;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Formatting;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// Writes events to stdout, one line each. <see cref="Emit"/> formats the event on the thread that
/// logs it, into UTF-8 bytes, and only queues them: a slow stdout never blocks a request. A thread
/// of its own writes the queued lines in batches: woken by the first line of a burst, it lets lines
/// gather for <see cref="Window"/>, then copies them into a 32 KiB buffer and writes it out. The
/// queue is bounded; a line that does not fit is dropped and counted. At shutdown the queue is
/// written out, within a budget.
/// </summary>
/// <remarks>
/// Why (docs/benchmarks.md): formatting on the writer thread cost 4–5 µs a line under load against
/// 1.2 µs in a micro-benchmark, as the writer read every event's objects cold from another core's
/// cache; formatted where it was made, the event is still in cache and is garbage at once. And with
/// a writer faster than the requests, a burst is one line long: waking the writer, dispatching it
/// and flushing once per line cost more than the line. While the writer sleeps out its window it
/// waits on nothing, so an enqueue wakes nobody; under load there is one wake-up and one write(2)
/// per window. The writer writes synchronously on its own thread, so that neither the wait nor a
/// stdout that blocks takes a thread from the pool that serves requests. The bound is a counter
/// beside a single-reader unbounded channel rather than a bounded channel, whose lock every read
/// and write would take.
/// </remarks>
internal sealed class StdoutSink : ILogEventSink, IDisposable
{
    /// <summary>How long a line may wait for company: the added latency of a log line, at most.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(2);

    private static readonly TimeSpan DrainBudget = TimeSpan.FromSeconds(2);
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    [ThreadStatic]
    private static StringWriter? t_line;

    [ThreadStatic]
    private static Encoder? t_encoder;

    private readonly Channel<Line> _queue;
    private readonly ITextFormatter _formatter;
    private readonly Stream _stdout;
    private readonly byte[] _buffer = new byte[32 * 1024];
    private readonly LogShippingMetrics _metrics;
    private readonly Thread _writer;
    private readonly int _capacity;
    private int _queued;
    private volatile bool _completing;

    public StdoutSink(ITextFormatter formatter, Stream stdout, int capacity, LogShippingMetrics metrics)
    {
        _formatter = formatter;
        _stdout = stdout;
        _metrics = metrics;
        _capacity = capacity;
        _queue = Channel.CreateUnbounded<Line>(new UnboundedChannelOptions { SingleReader = true });
        metrics.ObserveConsoleQueue(() => Volatile.Read(ref _queued));
        _writer = new Thread(Write) { IsBackground = true, Name = "stdout log writer" };
        _writer.Start();
    }

    public void Emit(LogEvent logEvent)
    {
        if (Interlocked.Increment(ref _queued) > _capacity)
        {
            Interlocked.Decrement(ref _queued);
            _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.QueueFull);
            return;
        }

        Line line;
        try
        {
            line = Format(logEvent);
        }
        catch (Exception ex)
        {
            Interlocked.Decrement(ref _queued);
            SelfLog.WriteLine("Could not format a log event for stdout: {0}", ex);
            _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.Rejected);
            return;
        }

        if (!_queue.Writer.TryWrite(line))
        {
            ArrayPool<byte>.Shared.Return(line.Bytes);
            Interlocked.Decrement(ref _queued);
            _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.QueueFull);
        }
    }

    public void Dispose()
    {
        _completing = true;
        _queue.Writer.TryComplete();
        if (!_writer.Join(DrainBudget))
        {
            _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.Shutdown, Volatile.Read(ref _queued));
        }
    }

    /// <summary>The event as one line of UTF-8, in a pooled array the writer returns.</summary>
    private Line Format(LogEvent logEvent)
    {
        var text = t_line ??= new StringWriter(new StringBuilder(1024), CultureInfo.InvariantCulture);
        var builder = text.GetStringBuilder();
        builder.Clear();
        _formatter.Format(logEvent, text);
        var bytes = ArrayPool<byte>.Shared.Rent(Utf8.GetMaxByteCount(builder.Length));
        var encoder = t_encoder ??= Utf8.GetEncoder();
        var length = 0;
        var chunks = builder.GetChunks();
        for (var more = chunks.MoveNext(); more;)
        {
            var chunk = chunks.Current;
            more = chunks.MoveNext(); // a surrogate pair may span two chunks: flush after the last one only
            length += encoder.GetBytes(chunk.Span, bytes.AsSpan(length), flush: !more);
        }

        if (builder.Capacity > 64 * 1024)
        {
            t_line = null; // an exceptional event does not keep its buffer
        }

        return new Line(bytes, length);
    }

    private void Write()
    {
        while (WaitForLines())
        {
            if (!_completing)
            {
                Thread.Sleep(Window);
            }

            var (buffered, lines) = (0, 0);
            try
            {
                while (_queue.Reader.TryRead(out var line))
                {
                    Interlocked.Decrement(ref _queued);
                    if (buffered + line.Length > _buffer.Length)
                    {
                        _stdout.Write(_buffer, 0, buffered);
                        (buffered, lines) = (0, 0);
                    }

                    if (line.Length > _buffer.Length)
                    {
                        lines = 1;
                        _stdout.Write(line.Bytes, 0, line.Length);
                        lines = 0;
                    }
                    else
                    {
                        line.Bytes.AsSpan(0, line.Length).CopyTo(_buffer.AsSpan(buffered));
                        buffered += line.Length;
                        lines++;
                    }

                    ArrayPool<byte>.Shared.Return(line.Bytes);
                }

                _stdout.Write(_buffer, 0, buffered);
                _stdout.Flush();
            }
            catch (IOException ex)
            {
                // What stdout refused is lost: counted, as every drop is.
                SelfLog.WriteLine("Could not write to stdout: {0}", ex);
                _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.Rejected, lines);
            }
        }
    }

    /// <summary>True when there are lines to write (at once if some are queued), false once completed and empty.</summary>
    private bool WaitForLines()
    {
        var waiting = _queue.Reader.WaitToReadAsync();
        return waiting.IsCompletedSuccessfully ? waiting.Result : waiting.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>A formatted line: the first <see cref="Length"/> bytes of a pooled array.</summary>
    private readonly record struct Line(byte[] Bytes, int Length);
}
