namespace MonitoredService.Observability.Logging;

/// <summary>How many events are queued, and whether (and until when) the final flush may run.</summary>
internal sealed class ShippingState(TimeSpan shutdownBudget, TimeProvider time)
{
    private readonly CancellationTokenSource _shutdown = new();
    private readonly CancellationTokenSource _deadlinePassed = new();
    private long _queued;
    private long _deadline = long.MaxValue;

    public long Queued => Interlocked.Read(ref _queued);

    public bool IsShuttingDown => _shutdown.IsCancellationRequested;

    /// <summary>Cancelled when shutdown begins: back-off waits end at once.</summary>
    public CancellationToken ShuttingDown => _shutdown.Token;

    /// <summary>Cancelled when the shutdown budget runs out: a request still in flight is abandoned.</summary>
    public CancellationToken DeadlinePassed => _deadlinePassed.Token;

    /// <summary>What is left of the shutdown budget (infinite before shutdown).</summary>
    public TimeSpan Remaining => IsShuttingDown
        ? TimeSpan.FromTicks(Math.Max(0, Interlocked.Read(ref _deadline) - time.GetUtcNow().UtcTicks))
        : Timeout.InfiniteTimeSpan;

    public bool TryEnqueue(int limit)
    {
        if (Interlocked.Increment(ref _queued) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _queued);
        return false;
    }

    public void Dequeued(int count) => Interlocked.Add(ref _queued, -count);

    public void BeginShutdown()
    {
        Interlocked.Exchange(ref _deadline, (time.GetUtcNow() + shutdownBudget).UtcTicks);
        _deadlinePassed.CancelAfter(shutdownBudget);
        _shutdown.Cancel();
    }
}
