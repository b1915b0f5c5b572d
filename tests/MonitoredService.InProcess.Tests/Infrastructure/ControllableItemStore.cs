using MonitoredService.Items;

namespace MonitoredService.InProcess.Tests.Infrastructure;

public enum StoreMode
{
    Working,

    /// <summary>Every call fails at once, with a connection string in the exception text.</summary>
    Broken,

    /// <summary>Every call blocks its thread (as a locked SQLite file does) until the mode changes.</summary>
    Hung,
}

/// <summary>The real store behind a switch that makes it fail or hang, counting readiness queries.</summary>
public sealed class ControllableItemStore(IItemStore inner) : IItemStore
{
    /// <summary>A secret that appears in the exception text of a broken store and must appear nowhere else.</summary>
    public const string CanarySecret = Testing.Canaries.StorePassword;

    private readonly ManualResetEventSlim _released = new(initialState: true);
    private int _pings;
    private volatile StoreMode _mode;

    public StoreMode Mode
    {
        get => _mode;
        set
        {
            _mode = value;
            if (value == StoreMode.Hung)
            {
                _released.Reset();
            }
            else
            {
                _released.Set();
            }
        }
    }

    /// <summary>How many readiness queries (pings) reached the store.</summary>
    public int Pings => Volatile.Read(ref _pings);

    public Task MigrateAsync(CancellationToken cancellationToken) => Guard(() => inner.MigrateAsync(cancellationToken));

    public Task PingAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _pings);
        return Guard(() => inner.PingAsync(cancellationToken));
    }

    public Task<Item> CreateAsync(string name, CancellationToken cancellationToken) => Guard(() => inner.CreateAsync(name, cancellationToken));

    public Task<Item?> GetAsync(long id, CancellationToken cancellationToken) => Guard(() => inner.GetAsync(id, cancellationToken));

    public Task<IReadOnlyList<Item>> ListAsync(long afterId, int limit, CancellationToken cancellationToken) =>
        Guard(() => inner.ListAsync(afterId, limit, cancellationToken));

    public Task<bool> DeleteAsync(long id, CancellationToken cancellationToken) => Guard(() => inner.DeleteAsync(id, cancellationToken));

    public Task<long> CountAsync(CancellationToken cancellationToken) => Guard(() => inner.CountAsync(cancellationToken));

    private T Guard<T>(Func<T> call)
    {
        switch (_mode)
        {
            case StoreMode.Broken:
                throw new StoreUnavailableException(
                    $"Store down (Host=db;Username=app;Password={CanarySecret})",
                    new InvalidOperationException($"connection refused: Host=db;Password={CanarySecret}"));
            case StoreMode.Hung:
                // Synchronously, like a driver that blocks: the caller's timeout must still hold.
                _released.Wait();
                break;
        }

        return call();
    }
}
