using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace MonitoredService.Items;

/// <summary>
/// The embedded store: one SQLite file (WAL mode, pooled connections), schema versioned with
/// <c>PRAGMA user_version</c>. Microsoft.Data.Sqlite's async methods run synchronously; callers that
/// must not block (readiness) put their own bound on them.
/// </summary>
internal sealed class SqliteItemStore(IOptions<StoreOptions> options, IHostEnvironment environment, TimeProvider time) : IItemStore
{
    /// <summary>Schema migrations, applied in order; never edit one that has shipped, add the next.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    ];

    private readonly string _path = System.IO.Path.GetFullPath(options.Value.Path, environment.ContentRootPath);

    private string ConnectionString => new SqliteConnectionStringBuilder
    {
        DataSource = _path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = (int)Math.Ceiling(options.Value.CommandTimeout.TotalSeconds),
    }.ToString();

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException("The SQLite store's directory cannot be created.", ex);
        }

        await RunAsync(async (connection, ct) =>
        {
            await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", ct);
            // BEGIN IMMEDIATE takes the write lock first: instances starting together migrate in turn.
            await using var transaction = connection.BeginTransaction(deferred: false);
            var version = Convert.ToInt32(await ScalarAsync(connection, "PRAGMA user_version;", ct), CultureInfo.InvariantCulture);
            for (var next = version; next < Migrations.Length; next++)
            {
                await ExecuteAsync(connection, Migrations[next], ct);
            }

            await ExecuteAsync(connection, $"PRAGMA user_version = {Migrations.Length.ToString(CultureInfo.InvariantCulture)};", ct);
            await transaction.CommitAsync(ct);
            return version;
        }, cancellationToken);
    }

    public Task PingAsync(CancellationToken cancellationToken) =>
        RunAsync((connection, ct) => ScalarAsync(connection, "SELECT 1 FROM items LIMIT 1;", ct), cancellationToken);

    public Task<Item> CreateAsync(string name, CancellationToken cancellationToken) =>
        RunAsync(async (connection, ct) =>
        {
            var createdAt = StoreClock.Now(time);
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO items (name, created_at) VALUES ($name, $createdAt) RETURNING id;";
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$createdAt", createdAt.ToString("O", CultureInfo.InvariantCulture));
            var id = (long)(await command.ExecuteScalarAsync(ct))!;
            return new Item(id, name, createdAt);
        }, cancellationToken);

    public Task<Item?> GetAsync(long id, CancellationToken cancellationToken) =>
        RunAsync(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, name, created_at FROM items WHERE id = $id;";
            command.Parameters.AddWithValue("$id", id);
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? ReadItem(reader) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<Item>> ListAsync(long afterId, int limit, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<Item>>(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, name, created_at FROM items WHERE id > $afterId ORDER BY id LIMIT $limit;";
            command.Parameters.AddWithValue("$afterId", afterId);
            command.Parameters.AddWithValue("$limit", limit);
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
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM items WHERE id = $id;";
            command.Parameters.AddWithValue("$id", id);
            return await command.ExecuteNonQueryAsync(ct) > 0;
        }, cancellationToken);

    public Task<long> CountAsync(CancellationToken cancellationToken) =>
        RunAsync(async (connection, ct) => (long)(await ScalarAsync(connection, "SELECT count(*) FROM items;", ct))!, cancellationToken);

    private static Item ReadItem(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));

    private async Task<T> RunAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new SqliteConnection(ConnectionString);
            await connection.OpenAsync(cancellationToken);
            return await work(connection, cancellationToken);
        }
        catch (SqliteException ex)
        {
            throw new StoreUnavailableException($"The SQLite store failed (SQLite error {ex.SqliteErrorCode}).", ex);
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
