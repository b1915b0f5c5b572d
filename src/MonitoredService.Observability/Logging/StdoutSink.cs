using System.Text;
using System.Threading.Channels;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Formatting;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// Writes events to stdout from one background thread, through a 32 KiB buffer flushed once per
/// burst rather than once per event (Serilog's console sink flushes every event: one write(2) per
/// line). Emitting only enqueues: a slow stdout never blocks a request. The queue is bounded; an
/// event that does not fit is dropped and counted. At shutdown the queue is written out, within
/// a budget.
/// </summary>
internal sealed class StdoutSink : ILogEventSink, IDisposable
{
    private static readonly TimeSpan DrainBudget = TimeSpan.FromSeconds(2);

    private readonly Channel<LogEvent> _queue;
    private readonly ITextFormatter _formatter;
    private readonly TextWriter _output;
    private readonly LogShippingMetrics _metrics;
    private readonly Task _writer;

    public StdoutSink(ITextFormatter formatter, Stream stdout, int capacity, LogShippingMetrics metrics)
    {
        _formatter = formatter;
        _metrics = metrics;
        _output = new StreamWriter(stdout, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 32 * 1024);
        _queue = Channel.CreateBounded<LogEvent>(new BoundedChannelOptions(capacity) { SingleReader = true });
        metrics.ObserveConsoleQueue(() => _queue.Reader.Count);
        using (ExecutionContext.SuppressFlow())
        {
            _writer = Task.Run(WriteAsync);
        }
    }

    public void Emit(LogEvent logEvent)
    {
        if (!_queue.Writer.TryWrite(logEvent))
        {
            _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.QueueFull);
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        if (!_writer.Wait(DrainBudget))
        {
            _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.Shutdown, _queue.Reader.Count);
        }
    }

    private async Task WriteAsync()
    {
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (_queue.Reader.TryRead(out var logEvent))
            {
                try
                {
                    _formatter.Format(logEvent, _output);
                }
                catch (Exception ex)
                {
                    SelfLog.WriteLine("Could not write a log event to stdout: {0}", ex);
                }
            }

            await _output.FlushAsync();
        }
    }
}
