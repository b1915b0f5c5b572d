namespace MonitoredService.InProcess.Tests.Infrastructure;

/// <summary>One started service shared by the tests of a class (xunit class fixture).</summary>
public abstract class ServiceFixture : IAsyncLifetime
{
    public MonitoredServiceApplication App { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await CreateAsync();
        Client = await App.CreateReadyClientAsync();
    }

    public Task DisposeAsync()
    {
        Client.Dispose();
        App.Dispose();
        return Task.CompletedTask;
    }

    protected abstract Task<MonitoredServiceApplication> CreateAsync();
}

/// <summary>The service on its embedded SQLite store.</summary>
public sealed class ReadyServiceFixture : ServiceFixture
{
    protected override Task<MonitoredServiceApplication> CreateAsync() => Task.FromResult(new MonitoredServiceApplication());
}

#if (WithPostgres)
/// <summary>The service on PostgreSQL: a fresh database on the test run's throw-away server.</summary>
public sealed class PostgresServiceFixture : ServiceFixture
{
    protected override async Task<MonitoredServiceApplication> CreateAsync() =>
        new MonitoredServiceApplication().WithPostgres(await SharedPostgres.CreateDatabaseAsync());
}
#endif
