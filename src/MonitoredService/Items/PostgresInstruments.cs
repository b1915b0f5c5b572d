using MonitoredService.Observability.Metrics;
using static MonitoredService.Observability.Metrics.ExportedInstrument.Kind;

namespace MonitoredService.Items;

/// <summary>Npgsql's pool and command instruments, exported when the store is PostgreSQL (docs/postgresql.md).</summary>
internal static class PostgresInstruments
{
    private const string Meter = "Npgsql";

    /// <summary>The pool's name (<see cref="ItemStoreExtensions.DataSourceName"/>), never its connection string.</summary>
    private const string Pool = "db.client.connection.pool.name=pool";

    public static readonly ExportedInstrument[] All =
    [
        new(Meter, "db.client.connection.count", "db_client_connections", Gauge,
            "PostgreSQL connections of the pool, by state (idle, used).", Pool, "db.client.connection.state=state"),
        new(Meter, "db.client.connection.max", "db_client_connections_max", Gauge,
            "The most connections the PostgreSQL pool may open.", Pool),
        new(Meter, "db.client.connection.npgsql.pending_requests", "db_client_connection_pending_requests", Gauge,
            "Requests waiting for a connection from the PostgreSQL pool.", Pool),
        new(Meter, "db.client.connection.npgsql.timeouts", "db_client_connection_timeouts_total", Counter,
            "Times a request gave up waiting for a connection from the PostgreSQL pool.", Pool),
        new(Meter, "db.client.operation.duration", "db_client_operation_duration_seconds", Histogram,
            "Duration of PostgreSQL commands, in seconds.", Pool),
        new(Meter, "db.client.operation.failed", "db_client_operation_failed_total", Counter,
            "PostgreSQL commands that failed.", Pool),
    ];
}
