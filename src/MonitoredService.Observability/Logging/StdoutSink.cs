using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// Writes events to stdout, one line each. <see cref="Emit"/> formats the event on the thread that
/// logs it, straight into UTF-8 (<see cref="IUtf8Formatter"/>), and appends the bytes to the batch
/// being filled: a slow stdout never blocks a request. A thread of its own writes the batches: it
/// lets lines gather for <see cref="Window"/>, takes what came and writes each 64 KiB batch with one
/// write(2); it parks when there was nothing, until the next line wakes it. The queue is bounded in
/// lines; a line that does not fit is dropped and counted. At shutdown every accepted line is
/// written out, within a budget.
/// </summary>
/// <remarks>
/// Why (docs/benchmarks.md): what a line costs beyond its formatting is the hand-over, and on a VM
/// each wake-up of a thread costs tens of microseconds. So under load the writer never waits on the
/// queue: it sleeps out a window, writes what came and sleeps again, one timer wake-up and a write or
/// two per window whatever the request rate. The line is formatted in a per-thread buffer that stays
/// in that core's cache and copied into the batch under a lock held for that copy only; the writer
/// touches no line, only whole batches, and batches are reused: no array per line, no pool traffic
/// across threads. Only a writer that found nothing parks, and the line that finds it parked wakes it
/// directly. The writer writes synchronously on its own thread, so that neither the wait nor a stdout
/// that blocks takes a thread from the pool that serves requests.
/// </remarks>
internal sealed class StdoutSink : ILogEventSink, IDisposable
{
    /// <summary>How long a line may wait for company: the added latency of a log line, at most.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(10);

    private const int BatchSize = 64 * 1024;
    private const int SpareBatches = 4;
    private static readonly TimeSpan DrainBudget = TimeSpan.FromSeconds(2);

    [ThreadStatic]
    private static Utf8Line? t_line;

    private readonly Lock _gate = new();
    private readonly Queue<Batch> _full = new(); // under _gate
    private readonly Stack<Batch> _spare = new(); // under _gate
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private readonly IUtf8Formatter _formatter;
    private readonly Stream _stdout;
    private readonly LogShippingMetrics _metrics;
    private readonly Thread _writer;
    private readonly int _capacity;
    private Batch _filling = new(BatchSize); // under _gate
    private int _queued; // lines accepted and not yet taken to be written: being formatted or in a batch
    private int _parked;
    private volatile bool _completing;

    public StdoutSink(IUtf8Formatter formatter, Stream stdout, int capacity, LogShippingMetrics metrics)
    {
        _formatter = formatter;
        _stdout = stdout;
        _metrics = metrics;
        _capacity = capacity;
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

        var line = t_line ??= new Utf8Line();
        line.Clear();
        try
        {
            _formatter.Format(logEvent, line);
        }
        catch (Exception ex)
        {
            Interlocked.Decrement(ref _queued);
            SelfLog.WriteLine("Could not format a log event for stdout: {0}", ex);
            _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.Rejected);
            return;
        }

        Append(line.Written);
        if (Volatile.Read(ref _parked) == 1 && Interlocked.Exchange(ref _parked, 0) == 1)
        {
            _wake.Set();
        }
    }

    public void Dispose()
    {
        _completing = true;
        _wake.Set();
        if (!_writer.Join(DrainBudget))
        {
            _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.Shutdown, Volatile.Read(ref _queued));
        }
    }

    private void Append(ReadOnlySpan<byte> line)
    {
        lock (_gate)
        {
            if (_filling.Free < line.Length)
            {
                if (_filling.Length > 0)
                {
                    _full.Enqueue(_filling);
                }

                // A line longer than a batch gets a batch of its own, not kept afterwards.
                _filling = line.Length > BatchSize ? new Batch(line.Length) : _spare.TryPop(out var spare) ? spare : new Batch(BatchSize);
            }

            _filling.Append(line);
        }
    }

    private void Write()
    {
        var taken = new List<Batch>();
        while (true)
        {
            if (Interlocked.CompareExchange(ref _queued, 0, 0) == 0)
            {
                if (_completing)
                {
                    return; // shut down, and no line on its way: every accepted line is written
                }

                Park();
                continue;
            }

            if (!_completing)
            {
                Thread.Sleep(Window);
            }

            Take(taken);
            if (taken.Count == 0)
            {
                Thread.Yield(); // accepted lines are still being formatted
                continue;
            }

            foreach (var batch in taken)
            {
                WriteOut(batch);
            }

            Return(taken);
        }
    }

    /// <summary>Waits for the next line (or shutdown). The flag is raised before the last look at the count, so no line goes unnoticed.</summary>
    private void Park()
    {
        _wake.Reset();
        Interlocked.Exchange(ref _parked, 1);
        if (Interlocked.CompareExchange(ref _queued, 0, 0) == 0 && !_completing)
        {
            _wake.Wait();
        }

        Interlocked.Exchange(ref _parked, 0);
    }

    private void Take(List<Batch> taken)
    {
        lock (_gate)
        {
            taken.AddRange(_full);
            _full.Clear();
            if (_filling.Length > 0)
            {
                taken.Add(_filling);
                _filling = _spare.TryPop(out var spare) ? spare : new Batch(BatchSize);
            }
        }

        // Out of the queue (the bound and the gauge count what waits, not what is being written).
        Interlocked.Add(ref _queued, -taken.Sum(batch => batch.Lines));
    }

    private void WriteOut(Batch batch)
    {
        try
        {
            _stdout.Write(batch.Bytes, 0, batch.Length);
            _stdout.Flush();
        }
        catch (IOException ex)
        {
            // What stdout refused is lost: counted, as every drop is.
            SelfLog.WriteLine("Could not write to stdout: {0}", ex);
            _metrics.Dropped(LogShippingMetrics.Console, LogShippingMetrics.DropReason.Rejected, batch.Lines);
        }
    }

    private void Return(List<Batch> taken)
    {
        lock (_gate)
        {
            foreach (var batch in taken)
            {
                if (batch.Bytes.Length == BatchSize && _spare.Count < SpareBatches)
                {
                    batch.Clear();
                    _spare.Push(batch);
                }
            }
        }

        taken.Clear();
    }

    /// <summary>Lines one after another in an array, written with one call.</summary>
    private sealed class Batch(int size)
    {
        public byte[] Bytes { get; } = new byte[size];

        public int Length { get; private set; }

        public int Lines { get; private set; }

        public int Free => Bytes.Length - Length;

        public void Append(ReadOnlySpan<byte> line)
        {
            line.CopyTo(Bytes.AsSpan(Length));
            Length += line.Length;
            Lines++;
        }

        public void Clear() => (Length, Lines) = (0, 0);
    }
}
