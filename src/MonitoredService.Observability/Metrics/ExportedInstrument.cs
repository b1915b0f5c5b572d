namespace MonitoredService.Observability.Metrics;

/// <summary>
/// One instrument of a .NET meter that /metrics exports, under a Prometheus name and type. Only the
/// instruments listed in <see cref="All"/> are exported: the runtime and Kestrel publish dozens more
/// (and private QUIC meters), which nobody reads.
/// </summary>
internal sealed record ExportedInstrument(
    string Meter, string Instrument, string Name, ExportedInstrument.Kind Type, string Help, params string[] Tags)
{
    public enum Kind
    {
        /// <summary>Monotonic: from a Counter (deltas) or an ObservableCounter (totals). Name ends in _total.</summary>
        Counter,

        /// <summary>A current value: from an UpDownCounter (deltas), an observable gauge or up-down counter.</summary>
        Gauge,
    }

    public const string Runtime = "System.Runtime";
    public const string Kestrel = "Microsoft.AspNetCore.Server.Kestrel";

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
    ];

    /// <summary>The Prometheus label names: tag names with dots replaced.</summary>
    public string[] LabelNames => Tags.Select(tag => tag.Replace('.', '_')).ToArray();
}
