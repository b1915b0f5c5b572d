using System.Runtime.InteropServices;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// Writes events to stdout, one line each. <see cref="Emit"/> only hands the event over: it appends
/// it to a list under a lock held for that append; a request's completion event as its fields
/// (<see cref="RequestCompletionEvent.TryRead"/>), read there while the event is in the emitting
/// thread's cache, so that the writer reads one array instead of each event's objects on another
/// core (a fifth of its time per line before, docs/benchmarks.md). A thread of its own lets events gather for
/// a window (<see cref="Window"/>), takes the list, formats its events one after another into a
/// batch (<see cref="IUtf8Formatter"/>) and writes each 64 KiB with one write(2); it parks only
/// when a whole window passed without an event, until the next event wakes it. The queue is
/// bounded in events; an event that does not fit is dropped and counted. At shutdown every
/// accepted event is written out, within a budget.
/// </summary>
/// <remarks>
/// Why (docs/benchmarks.md): on a loaded service, the work of a log line costs the request threads
/// more than the work itself: the hand-over (each wake-up of a thread costs tens of microseconds on
/// a VM) and the formatting (run cold, between two requests, it cost three times what it costs in a
/// loop). So under load the writer never waits on the queue: it sleeps out a window and then formats
/// a few hundred lines in a row, with its code and buffers hot; one timer wake-up and a write or two
/// per window whatever the request rate. Only a writer that found nothing for a whole window parks,
/// and the event that finds it parked wakes it directly: a wake-up costs the emitting request
/// thread a system call, so under load (an event at least every window) no request pays one
/// (parking as soon as a batch was written cost about half a µs per request, docs/benchmarks.md).
/// The writer writes synchronously on its own thread, so that neither the wait nor a stdout that
/// blocks takes a thread from the pool that serves requests.
/// </remarks>
internal sealed class StdoutSink : ILogEventSink, IDisposable
{
    /// <summary>How long an event may wait for company: the added latency of a log line, at most.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(10);

    private const int BatchSize = 64 * 1024;
    private static readonly TimeSpan DrainBudget = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private readonly IUtf8Formatter _formatter;
    private readonly Stream _stdout;
    private readonly LogShippingMetrics _metrics;
    private readonly Thread _writer;
    private readonly int _capacity;
    private readonly TimeSpan _window;
    private List<Queued> _pending = []; // under _gate
    private int _queued; // events accepted and not yet taken by the writer
    private int _parked;
    private int _wakes;
    private volatile bool _completing;

    public StdoutSink(IUtf8Formatter formatter, Stream stdout, int capacity, LogShippingMetrics metrics, TimeSpan? window = null)
    {
        _formatter = formatter;
        _stdout = stdout;
        _metrics = metrics;
        _capacity = capacity;
        _window = window ?? Window;
        metrics.ObserveConsoleQueue(() => Volatile.Read(ref _queued));
        _writer = new Thread(Write) { IsBackground = true, Name = "stdout log writer" };
        _writer.Start();
    }

    public void Emit(LogEvent logEvent)
    {
        // Counted before the look at _completing: the writer stops only once this count is zero.
        if (Interlocked.Increment(ref _queued) > _capacity || _completing)
        {
            Interlocked.Decrement(ref _queued);
            _metrics.Dropped(LogShippingMetrics.Console, _completing ? LogShippingMetrics.DropReason.Shutdown : LogShippingMetrics.DropReason.QueueFull);
            return;
        }

        // A request's completion line is read now, while its event is in this thread's cache: the
        // writer then reads one array of fields instead of each event's objects (docs/benchmarks.md).
        var queued = RequestCompletionEvent.TryRead(logEvent, out var completion) ? new Queued(null, completion) : new Queued(logEvent, default);
        lock (_gate)
        {
            _pending.Add(queued);
        }

        if (Volatile.Read(ref _parked) == 1 && Interlocked.Exchange(ref _parked, 0) == 1)
        {
            Interlocked.Increment(ref _wakes);
            _wake.Set();
        }
    }

    /// <summary>How many times an emitting thread has woken the parked writer.</summary>
    internal int Wakes => Volatile.Read(ref _wakes);

    /// <summary>Whether the writer is parked, waiting for an event.</summary>
    internal bool Parked => Volatile.Read(ref _parked) == 1;

    public void Dispose()
    {
        _completing = true;
        _wake.Set();
        if (!_writer.Join(DrainBudget))
        {
            _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.Shutdown, Volatile.Read(ref _queued));
        }
    }

    private void Write()
    {
        var taken = new List<Queued>();
        var batch = new Utf8Line(2 * BatchSize); // a batch, and the line that takes it past its size
        var waited = false; // a window has passed since the last take
        while (true)
        {
            if (Volatile.Read(ref _queued) == 0)
            {
                // The count is read again after the flag: an event counted before the flag was
                // raised (Emit counts, then looks at the flag) is then seen, and written.
                if (_completing && Volatile.Read(ref _queued) == 0)
                {
                    return; // shut down, and no event on its way: every accepted event is written
                }

                if (waited)
                {
                    Park(); // a whole window without an event: the next one wakes the writer
                    waited = false;
                }
                else
                {
                    Thread.Sleep(_window); // nothing yet: one more window before parking
                    waited = true;
                }

                continue;
            }

            if (!_completing && !waited)
            {
                Thread.Sleep(_window);
            }

            waited = false;

            lock (_gate)
            {
                (taken, _pending) = (_pending, taken);
            }

            if (taken.Count == 0)
            {
                Thread.Yield(); // an accepted event is between its count and the list
                continue;
            }

            // Out of the queue (the bound and the gauge count what waits, not what is being written).
            Interlocked.Add(ref _queued, -taken.Count);
            WriteOut(taken, batch);
            taken.Clear();
        }
    }

    /// <summary>Waits for the next event (or shutdown). The flag is raised before the last look at the count, so no event goes unnoticed.</summary>
    private void Park()
    {
        _wake.Reset();
        Interlocked.Exchange(ref _parked, 1);
        if (Volatile.Read(ref _queued) == 0 && !_completing)
        {
            _wake.Wait();
        }

        Interlocked.Exchange(ref _parked, 0);
    }

    private void WriteOut(List<Queued> events, Utf8Line batch)
    {
        var lines = 0;
        foreach (ref readonly var queued in CollectionsMarshal.AsSpan(events))
        {
            var length = batch.Length;
            try
            {
                if (queued.Event is { } logEvent)
                {
                    _formatter.Format(logEvent, batch);
                }
                else
                {
                    _formatter.Format(queued.Completion, batch);
                }

                lines++;
            }
            catch (Exception ex)
            {
                batch.Truncate(length);
                SelfLog.WriteLine("Could not format a log event for stdout: {0}", ex);
                _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.Rejected);
            }

            if (batch.Length >= BatchSize)
            {
                Flush(batch, lines);
                lines = 0;
            }
        }

        if (batch.Length > 0)
        {
            Flush(batch, lines);
        }
    }

    private void Flush(Utf8Line batch, int lines)
    {
        try
        {
            _stdout.Write(batch.Written);
            _stdout.Flush();
        }
        catch (IOException ex)
        {
            // What stdout refused is lost: counted, as every drop is.
            SelfLog.WriteLine("Could not write to stdout: {0}", ex);
            _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.Rejected, lines);
        }

        batch.Clear();
    }

    /// <summary>An accepted event: a request's completion line as its fields, any other event as itself.</summary>
    private readonly record struct Queued(LogEvent? Event, RequestCompletionEvent.Fields Completion);
}
