using System.Diagnostics;
using MonitoredService.Observability.Tracing;

namespace MonitoredService.Items;

/// <summary>
/// Every store call as a span (a child of the request's; calls outside a request, such as the
/// background count, are not traced) and as an observation of the store latency histogram.
/// </summary>
internal sealed class InstrumentedItemStore(IItemStore inner, ItemsTelemetry telemetry, string databaseSystem) : IItemStore
{
    public Task MigrateAsync(CancellationToken cancellationToken) =>
        MeasureAsync("migrate", null, async () => { await inner.MigrateAsync(cancellationToken); return true; });

    public Task PingAsync(CancellationToken cancellationToken) =>
        MeasureAsync("ping", null, async () => { await inner.PingAsync(cancellationToken); return true; });

    public Task<long> CountAsync(CancellationToken cancellationToken) =>
        MeasureAsync("count", null, () => inner.CountAsync(cancellationToken));

    public Task<Item> CreateAsync(string name, CancellationToken cancellationToken) =>
        MeasureAsync("create", null, () => inner.CreateAsync(name, cancellationToken), created => created.Id);

    public Task<Item?> GetAsync(long id, CancellationToken cancellationToken) =>
        MeasureAsync("get", id, () => inner.GetAsync(id, cancellationToken));

    public Task<IReadOnlyList<Item>> ListAsync(long afterId, int limit, CancellationToken cancellationToken) =>
        MeasureAsync("list", null, () => inner.ListAsync(afterId, limit, cancellationToken));

    public Task<bool> DeleteAsync(long id, CancellationToken cancellationToken) =>
        MeasureAsync("delete", id, () => inner.DeleteAsync(id, cancellationToken));

    private async Task<T> MeasureAsync<T>(string operation, long? itemId, Func<Task<T>> call, Func<T, long>? createdId = null)
    {
        using var activity = Start(operation, itemId);
        var start = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var result = await call();
            outcome = "success";
            if (createdId is not null)
            {
                activity?.SetTag(ItemsTelemetry.ItemIdAttribute, createdId(result));
            }

            return result;
        }
        catch (Exception ex)
        {
            ActivityExceptions.Record(activity, ex);
            throw;
        }
        finally
        {
            telemetry.RecordStoreCall(operation, outcome, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    /// <summary>
    /// A span only under a recorded one. With the samplers the service takes (parent-based, or a ratio
    /// of the same trace id), a child of a span that is not recorded (90 % of requests at the
    /// production ratio) is not recorded either, so it is not even asked for; and a probe's store
    /// call never makes a span of its own, whatever the sampler.
    /// </summary>
    private Activity? Start(string operation, long? itemId)
    {
        if (Activity.Current is not { IsAllDataRequested: true })
        {
            return null;
        }

        var activity = ItemsTelemetry.ActivitySource.StartActivity(SpanName(operation), ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", databaseSystem);
            activity.SetTag("db.collection.name", "items");
            activity.SetTag("db.operation.name", operation);
            if (itemId is { } id)
            {
                activity.SetTag(ItemsTelemetry.ItemIdAttribute, id);
            }
        }

        return activity;
    }

    private static string SpanName(string operation) => operation switch
    {
        "get" => "store.get",
        "list" => "store.list",
        "create" => "store.create",
        "delete" => "store.delete",
        "count" => "store.count",
        "ping" => "store.ping",
        "migrate" => "store.migrate",
        _ => "store." + operation,
    };
}
