namespace MonitoredService.Observability.Metrics;

/// <summary>
/// One instrument of a .NET meter that /metrics exports, under a Prometheus name and type. Only the
/// instruments listed in <see cref="All"/> are exported: the runtime and Kestrel publish dozens more
/// (and private QUIC meters), which nobody reads.
/// </summary>
/// <remarks>A tag becomes a label of the same name with dots replaced, or of the name after '=' (<c>tag=label</c>).</remarks>
internal sealed record ExportedInstrument(
    string Meter, string Instrument, string Name, ExportedInstrument.Kind Type, string Help, params string[] Tags)
{
    public enum Kind
    {
        /// <summary>Monotonic: from a Counter (deltas) or an ObservableCounter (totals). Name ends in _total.</summary>
        Counter,

        /// <summary>A current value: from an UpDownCounter (deltas), an observable gauge or up-down counter.</summary>
        Gauge,

        /// <summary>A distribution of seconds, from a Histogram, in <see cref="SecondsBuckets"/>.</summary>
        Histogram,
    }

    /// <summary>Buckets for client-side latencies: 0.5 ms to 10 s.</summary>
    public static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public const string Runtime = "System.Runtime";
    public const string Kestrel = "Microsoft.AspNetCore.Server.Kestrel";
    public const string Npgsql = "Npgsql";
    private const string Pool = "db.client.connection.pool.name=pool";

    public static readonly ExportedInstrument[] All =
    [
        new(Runtime, "dotnet.gc.pause.time", "dotnet_gc_pause_time_seconds_total", Kind.Counter,
            "Total time the garbage collector has paused the process, in seconds."),
        new(Runtime, "dotnet.gc.heap.total_allocated", "dotnet_gc_heap_total_allocated_bytes_total", Kind.Counter,
            "Bytes allocated on the managed heap since the process started."),
        new(Runtime, "dotnet.gc.last_collection.heap.size", "dotnet_gc_last_collection_heap_size_bytes", Kind.Gauge,
            "Managed heap size by generation after the last garbage collection, in bytes.", "gc.heap.generation"),
        new(Runtime, "dotnet.gc.last_collection.memory.committed_size", "dotnet_gc_last_collection_memory_committed_size_bytes", Kind.Gauge,
            "Memory committed by the garbage collector after the last collection, in bytes."),
        new(Runtime, "dotnet.process.cpu.count", "dotnet_process_cpus", Kind.Gauge,
            "Processors the runtime may use (the container's CPU limit, rounded up, where one is set)."),
        new(Runtime, "dotnet.thread_pool.thread.count", "dotnet_thread_pool_threads", Kind.Gauge,
            "Thread-pool threads that currently exist."),
        new(Runtime, "dotnet.thread_pool.queue.length", "dotnet_thread_pool_queue_length", Kind.Gauge,
            "Work items queued to the thread pool and not started yet: a growing queue means starvation."),
        new(Runtime, "dotnet.thread_pool.work_item.count", "dotnet_thread_pool_work_item_count_total", Kind.Counter,
            "Work items the thread pool has completed."),
        new(Runtime, "dotnet.monitor.lock_contentions", "dotnet_monitor_lock_contentions_total", Kind.Counter,
            "Times a thread waited for a lock held by another."),
        new(Runtime, "dotnet.exceptions", "dotnet_exceptions_total", Kind.Counter,
            "Exceptions thrown in managed code, by type name.", "error.type"),
        new(Kestrel, "kestrel.active_connections", "kestrel_active_connections", Kind.Gauge,
            "Connections Kestrel has open."),
        new(Kestrel, "kestrel.queued_connections", "kestrel_queued_connections", Kind.Gauge,
            "Connections waiting for Kestrel to start processing them."),
        new(Kestrel, "kestrel.rejected_connections", "kestrel_rejected_connections_total", Kind.Counter,
            "Connections Kestrel rejected because its connection limit was reached."),
        new(Npgsql, "db.client.connection.count", "db_client_connections", Kind.Gauge,
            "PostgreSQL connections of the pool, by state (idle, used).", Pool, "db.client.connection.state=state"),
        new(Npgsql, "db.client.connection.max", "db_client_connections_max", Kind.Gauge,
            "The most connections the PostgreSQL pool may open.", Pool),
        new(Npgsql, "db.client.connection.npgsql.pending_requests", "db_client_connection_pending_requests", Kind.Gauge,
            "Requests waiting for a connection from the PostgreSQL pool.", Pool),
        new(Npgsql, "db.client.connection.npgsql.timeouts", "db_client_connection_timeouts_total", Kind.Counter,
            "Times a request gave up waiting for a connection from the PostgreSQL pool.", Pool),
        new(Npgsql, "db.client.operation.duration", "db_client_operation_duration_seconds", Kind.Histogram,
            "Duration of PostgreSQL commands, in seconds.", Pool),
        new(Npgsql, "db.client.operation.failed", "db_client_operation_failed_total", Kind.Counter,
            "PostgreSQL commands that failed.", Pool),
    ];

    /// <summary>The instrument's tag names, in label order.</summary>
    public string[] TagNames => Tags.Select(tag => tag.Split('=')[0]).ToArray();

    /// <summary>The Prometheus label names: the name after '=', or the tag name with dots replaced.</summary>
    public string[] LabelNames => Tags.Select(tag => tag.Contains('=') ? tag.Split('=')[1] : tag.Replace('.', '_')).ToArray();
}
