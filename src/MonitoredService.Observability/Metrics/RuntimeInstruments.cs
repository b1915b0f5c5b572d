using static MonitoredService.Observability.Metrics.ExportedInstrument.Kind;

namespace MonitoredService.Observability.Metrics;

/// <summary>The runtime and Kestrel instruments every service exports (<see cref="MetricsExtensions.AddMetrics"/> registers them).</summary>
internal static class RuntimeInstruments
{
    public const string Runtime = "System.Runtime";
    public const string Kestrel = "Microsoft.AspNetCore.Server.Kestrel";

    public static readonly ExportedInstrument[] All =
    [
        new(Runtime, "dotnet.gc.pause.time", "dotnet_gc_pause_time_seconds_total", Counter,
            "Total time the garbage collector has paused the process, in seconds."),
        new(Runtime, "dotnet.gc.heap.total_allocated", "dotnet_gc_heap_total_allocated_bytes_total", Counter,
            "Bytes allocated on the managed heap since the process started."),
        new(Runtime, "dotnet.gc.last_collection.heap.size", "dotnet_gc_last_collection_heap_size_bytes", Gauge,
            "Managed heap size by generation after the last garbage collection, in bytes.", "gc.heap.generation"),
        new(Runtime, "dotnet.gc.last_collection.memory.committed_size", "dotnet_gc_last_collection_memory_committed_size_bytes", Gauge,
            "Memory committed by the garbage collector after the last collection, in bytes."),
        new(Runtime, "dotnet.process.cpu.count", "dotnet_process_cpus", Gauge,
            "Processors the runtime may use (the container's CPU limit, rounded up, where one is set)."),
        new(Runtime, "dotnet.thread_pool.thread.count", "dotnet_thread_pool_threads", Gauge,
            "Thread-pool threads that currently exist."),
        new(Runtime, "dotnet.thread_pool.queue.length", "dotnet_thread_pool_queue_length", Gauge,
            "Work items queued to the thread pool and not started yet: a growing queue means starvation."),
        new(Runtime, "dotnet.thread_pool.work_item.count", "dotnet_thread_pool_work_item_count_total", Counter,
            "Work items the thread pool has completed."),
        new(Runtime, "dotnet.monitor.lock_contentions", "dotnet_monitor_lock_contentions_total", Counter,
            "Times a thread waited for a lock held by another."),
        new(Runtime, "dotnet.exceptions", "dotnet_exceptions_total", Counter,
            "Exceptions thrown in managed code, by type name.", "error.type"),
        new(Kestrel, "kestrel.active_connections", "kestrel_active_connections", Gauge,
            "Connections Kestrel has open."),
        new(Kestrel, "kestrel.queued_connections", "kestrel_queued_connections", Gauge,
            "Connections waiting for Kestrel to start processing them."),
        new(Kestrel, "kestrel.rejected_connections", "kestrel_rejected_connections_total", Counter,
            "Connections Kestrel rejected because its connection limit was reached."),
        new(Kestrel, "kestrel.connection.duration", "kestrel_connections_closed_total", Count,
            "Connections Kestrel closed, by error (error_type is empty for a clean close): a bad request refused before routing, a timeout, a reset.",
            "error.type"),
    ];
}
