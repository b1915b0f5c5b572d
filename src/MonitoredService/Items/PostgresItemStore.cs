using Npgsql;

namespace MonitoredService.Items;

/// <summary>
/// The shared store: PostgreSQL through a pooled <see cref="NpgsqlDataSource"/>. Schema versions are
/// kept in <c>schema_migrations</c>; replicas that start together take a transaction-scoped
/// advisory lock, so that one migrates and the others wait, then find nothing left to do.
/// </summary>
internal sealed class PostgresItemStore(NpgsqlDataSource dataSource, TimeProvider time) : IItemStore
{
    /// <summary>An arbitrary, fixed key: the advisory lock all replicas contend for while migrating.</summary>
    private const long MigrationLock = 7_351_986_204_412;

    /// <summary>Schema migrations, applied in order; never edit one that has shipped, add the next.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE items (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name text NOT NULL,
            created_at timestamptz NOT NULL
        );
        """,
    ];

    public Task MigrateAsync(CancellationToken cancellationToken) =>
        RunAsync(async (connection, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLock});", ct);
            await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());", ct);
            await using var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_migrations;", connection);
            var version = (int)(await read.ExecuteScalarAsync(ct))!;
            for (var next = version; next < Migrations.Length; next++)
            {
                await ExecuteAsync(connection, Migrations[next], ct);
                await using var record = new NpgsqlCommand("INSERT INTO schema_migrations (version) VALUES ($1);", connection);
                record.Parameters.AddWithValue(next + 1);
                await record.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
            return version;
        }, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) =>
        RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("SELECT 1 FROM items LIMIT 1;", connection);
            return await command.ExecuteScalarAsync(ct);
        }, cancellationToken);

    public Task<Item> CreateAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(async (connection, ct) =>
        {
            var createdAt = StoreClock.Now(time);
            await using var command = new NpgsqlCommand("INSERT INTO items (name, created_at) VALUES ($1, $2) RETURNING id;", connection);
            command.Parameters.AddWithValue(name);
            command.Parameters.AddWithValue(createdAt);
            var id = (long)(await command.ExecuteScalarAsync(ct))!;
            return new Item(id, name, createdAt);
        }, cancellationToken);

    public Task<Item?> GetAsync(long id, CancellationToken cancellationToken) =>
        RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("SELECT id, name, created_at FROM items WHERE id = $1;", connection);
            command.Parameters.AddWithValue(id);
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? ReadItem(reader) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<Item>> ListAsync(long afterId, int limit, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<Item>>(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("SELECT id, name, created_at FROM items WHERE id > $1 ORDER BY id LIMIT $2;", connection);
            command.Parameters.AddWithValue(afterId);
            command.Parameters.AddWithValue(limit);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var items = new List<Item>();
            while (await reader.ReadAsync(ct))
            {
                items.Add(ReadItem(reader));
            }

            return items;
        }, cancellationToken);

    public Task<bool> DeleteAsync(long id, CancellationToken cancellationToken) =>
        RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("DELETE FROM items WHERE id = $1;", connection);
            command.Parameters.AddWithValue(id);
            return await command.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);

    public Task<long> CountAsync(CancellationToken cancellationToken) =>
        RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM items;", connection);
            return (long)(await command.ExecuteScalarAsync(ct))!;
        }, cancellationToken);

    private static Item ReadItem(NpgsqlDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));

    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            return await work(connection, cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            // SqlState (e.g. 57P01, 28P01) says what happened; the message and the connection string stay out.
            throw new StoreUnavailableException(
                $"The PostgreSQL store failed ({(ex as PostgresException)?.SqlState ?? (ex.IsTransient ? "transient" : ex.GetType().Name)}).", ex);
        }
        catch (TimeoutException ex)
        {
            throw new StoreUnavailableException("The PostgreSQL store did not answer in time.", ex);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
