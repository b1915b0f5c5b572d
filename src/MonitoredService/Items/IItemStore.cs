namespace MonitoredService.Items;

/// <summary>
/// Where items live. Implementations throw <see cref="StoreUnavailableException"/> when the store
/// cannot answer (the API turns it into 503), never a driver exception.
/// </summary>
public interface IItemStore
{
    /// <summary>Creates or upgrades the schema; safe to run again and from several instances.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>A real, cheap query against the schema, for readiness.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    Task<Item> CreateAsync(string name, CancellationToken cancellationToken);

    Task<Item?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> items with an id above <paramref name="afterId"/>, by id.</summary>
    Task<IReadOnlyList<Item>> ListAsync(long afterId, int limit, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(long id, CancellationToken cancellationToken);

    /// <summary>How many items there are (a full count: not for the request path).</summary>
    Task<long> CountAsync(CancellationToken cancellationToken);
}
