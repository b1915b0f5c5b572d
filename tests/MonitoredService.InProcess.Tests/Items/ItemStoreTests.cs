using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MonitoredService.Items;
using MonitoredService.InProcess.Tests.Infrastructure;
#if (WithPostgres)
using Npgsql;
#endif

namespace MonitoredService.InProcess.Tests.Items;

/// <summary>
/// The store contract, below the API, run against both stores: what one store answers, the other
/// answers too. The store is the service's own implementation, taken from a started service.
/// </summary>
public abstract class ItemStoreTests(ServiceFixture fixture)
{
    private readonly IItemStore _store = fixture.App.Services.GetRequiredKeyedService<IItemStore>(ItemStoreExtensions.StoreImplementationKey);

    [Theory]
    [InlineData("plain")]
    [InlineData("Robert'); DROP TABLE items;--")]
    [InlineData("ünïcødé ✓ 漢字 🚀")]
    public async Task AnItemReadsBackExactlyAsItWasCreated(string name)
    {
        var created = await _store.CreateAsync(name, CancellationToken.None);

        var read = await _store.GetAsync(created.Id, CancellationToken.None);

        read.Should().Be(created, "the id, the name and the timestamp (to the microsecond) round-trip");
        created.CreatedAt.Offset.Should().Be(TimeSpan.Zero);
        (created.CreatedAt.Ticks % 10).Should().Be(0, "timestamps keep microseconds, what PostgreSQL stores");
    }

    [Fact]
    public async Task IdsIncreaseAndListPagesAfterAnId()
    {
        var items = new List<Item>();
        for (var i = 0; i < 5; i++)
        {
            items.Add(await _store.CreateAsync($"store page {i}", CancellationToken.None));
        }

        items.Select(item => item.Id).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        var first = await _store.ListAsync(items[0].Id - 1, 2, CancellationToken.None);
        var second = await _store.ListAsync(first[^1].Id, 2, CancellationToken.None);
        first.Concat(second).Should().Equal(items.Take(4));
        (await _store.ListAsync(items[^1].Id, 10, CancellationToken.None)).Should().BeEmpty();
    }

    [Fact]
    public async Task DeleteRemovesOnceAndCountFollows()
    {
        var before = await _store.CountAsync(CancellationToken.None);
        var item = await _store.CreateAsync("to delete", CancellationToken.None);
        (await _store.CountAsync(CancellationToken.None)).Should().BeGreaterThanOrEqualTo(before + 1);

        (await _store.DeleteAsync(item.Id, CancellationToken.None)).Should().BeTrue();
        (await _store.DeleteAsync(item.Id, CancellationToken.None)).Should().BeFalse();
        (await _store.GetAsync(item.Id, CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task MigratingAgainChangesNothing()
    {
        var item = await _store.CreateAsync("survives a second migration", CancellationToken.None);

        await _store.MigrateAsync(CancellationToken.None);

        (await _store.GetAsync(item.Id, CancellationToken.None)).Should().Be(item);
        await _store.PingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AnUnknownIdIsNull() =>
        (await _store.GetAsync(long.MaxValue, CancellationToken.None)).Should().BeNull();
}

public sealed class SqliteItemStoreTests(ReadyServiceFixture fixture) : ItemStoreTests(fixture), IClassFixture<ReadyServiceFixture>;

#if (WithPostgres)
public sealed class PostgresItemStoreTests(PostgresServiceFixture fixture) : ItemStoreTests(fixture), IClassFixture<PostgresServiceFixture>;
#endif

/// <summary>
/// Replicas that start together on one store migrate it once. The service retries a failed start-up
/// task, which would hide a lost race, so the race is run on the stores themselves: separate store
/// instances (separate pools, as in separate replicas) migrate at the same instant, and none may fail.
/// </summary>
public sealed class ConcurrentMigrationTests
{
    private const int Replicas = 8;

#if (WithPostgres)
    [Fact]
    public async Task StoresMigratingTogetherOnPostgreSqlMigrateOnce()
    {
        var connectionString = await SharedPostgres.CreateDatabaseAsync();
        var dataSources = Enumerable.Range(0, Replicas).Select(_ => NpgsqlDataSource.Create(connectionString)).ToArray();
        try
        {
            await MigrateTogetherAsync(dataSources.Select(dataSource => new PostgresItemStore(dataSource, TimeProvider.System)));

            await using var versions = dataSources[0].CreateCommand("SELECT version FROM schema_migrations ORDER BY version;");
            await using var reader = await versions.ExecuteReaderAsync();
            var applied = new List<int>();
            while (await reader.ReadAsync())
            {
                applied.Add(reader.GetInt32(0));
            }

            applied.Should().Equal([1], "each migration is recorded once");
        }
        finally
        {
            foreach (var dataSource in dataSources)
            {
                await dataSource.DisposeAsync();
            }
        }
    }
#endif

    [Fact]
    public async Task StoresMigratingTogetherOnOneSqliteFileMigrateOnce()
    {
        var directory = Directory.CreateTempSubdirectory("monitoredservice-tests-");
        var options = Microsoft.Extensions.Options.Options.Create(new StoreOptions { Path = Path.Combine(directory.FullName, "shared.db") });
        var environment = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = directory.FullName };
        try
        {
            await MigrateTogetherAsync(Enumerable.Range(0, Replicas).Select(_ => new SqliteItemStore(options, environment, TimeProvider.System)));

            await using var connection = new SqliteConnection($"Data Source={options.Value.Path}");
            await connection.OpenAsync();
            await using var version = connection.CreateCommand();
            version.CommandText = "PRAGMA user_version;";
            (await version.ExecuteScalarAsync()).Should().Be(1L);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

#if (WithPostgres)
    [Fact]
    public async Task ReplicasStartingTogetherOnPostgreSqlAllBecomeReady()
    {
        var connectionString = await SharedPostgres.CreateDatabaseAsync();
        var apps = Enumerable.Range(0, 3).Select(_ => new MonitoredServiceApplication().WithPostgres(connectionString)).ToArray();
        try
        {
            var clients = await Task.WhenAll(apps.Select(app => Task.Run(app.CreateReadyClientAsync)));
            foreach (var client in clients)
            {
                await client.WaitForStatusAsync("/health/ready", System.Net.HttpStatusCode.OK);
                client.Dispose();
            }
        }
        finally
        {
            foreach (var app in apps)
            {
                app.Dispose();
            }
        }
    }
#endif

    private static async Task MigrateTogetherAsync(IEnumerable<IItemStore> stores)
    {
        using var start = new Barrier(Replicas);
        var migrations = stores.Select(store => Task.Run(async () =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            await store.MigrateAsync(CancellationToken.None);
        })).ToArray();

        await Task.WhenAll(migrations).WaitAsync(TimeSpan.FromSeconds(60));
    }
}
