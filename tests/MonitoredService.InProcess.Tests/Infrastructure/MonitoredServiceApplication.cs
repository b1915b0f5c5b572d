using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
#if (SampleApi)
using MonitoredService.Items;
#endif

namespace MonitoredService.InProcess.Tests.Infrastructure;

/// <summary>
/// The service in-process: its own temporary SQLite file, no drain delay (so disposal is quick),
/// the Production environment (no developer exception page), and a store whose failures a test controls.
/// </summary>
public sealed class MonitoredServiceApplication : WebApplicationFactory<Program>
{
    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("monitoredservice-tests-");
    private readonly Dictionary<string, string?> _settings = new();
    private readonly List<Action<IServiceCollection>> _configureServices = [];

    public MonitoredServiceApplication()
    {
#if (SampleApi)
        _settings["Store:Path"] = Path.Combine(_dataDirectory.FullName, "items.db");
#endif
        _settings["Observability:Shutdown:DrainDelay"] = "00:00:00";
    }

    public string DataDirectory => _dataDirectory.FullName;

#if (SampleApi)
    /// <summary>The store as the service uses it; its mode makes it fail or hang.</summary>
    public ControllableItemStore Store => Services.GetRequiredService<ControllableItemStore>();
#endif

    public MonitoredServiceApplication WithSetting(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

#if (WithPostgres)
    /// <summary>The PostgreSQL store, on the given database.</summary>
    public MonitoredServiceApplication WithPostgres(string connectionString) =>
        WithSetting("Store:Provider", "PostgreSql").WithSetting("ConnectionStrings:Items", connectionString);
#endif

    public MonitoredServiceApplication WithServices(Action<IServiceCollection> configure)
    {
        _configureServices.Add(configure);
        return this;
    }

    /// <summary>
    /// Starts a service that is expected to fail at start, and returns why. WebApplicationFactory
    /// races with a Main that fails fast: if Main has already disposed its host when the factory
    /// looks at it, the factory reports ObjectDisposedException and the cause is lost. Such an
    /// attempt is repeated with a fresh factory.
    /// </summary>
    public static Exception StartFailure(Func<MonitoredServiceApplication> create)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var app = create();
            try
            {
                app.CreateClient().Dispose();
            }
            catch (ObjectDisposedException) when (attempt < 5)
            {
                continue;
            }
            catch (Exception ex)
            {
                return ex;
            }

            throw new InvalidOperationException("The service started; a failure at start was expected.");
        }
    }

    /// <summary>Waits until start-up work is done (the start-up probe answers 200).</summary>
    public async Task<HttpClient> CreateReadyClientAsync()
    {
        var client = CreateClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await client.GetAsync("/health/startup")).StatusCode != System.Net.HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The service did not finish start-up within 30 s.");
            }

            await Task.Delay(20);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // UseSetting: visible to Program while it registers services (switches are read there);
        // the in-memory source: highest precedence once the host is built.
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureTestServices(services =>
        {
#if (SampleApi)
            PutControllableStoreBeneathTheInstrumentation(services);
#endif
            foreach (var configure in _configureServices)
            {
                configure(services);
            }
        });
    }

#if (SampleApi)
    /// <summary>
    /// The controllable store goes beneath the instrumentation: its failures are traced and
    /// measured like real ones.
    /// </summary>
    public static void PutControllableStoreBeneathTheInstrumentation(IServiceCollection services)
    {
        var original = services.Single(descriptor =>
            descriptor.ServiceType == typeof(IItemStore) && Equals(descriptor.ServiceKey, ItemStoreExtensions.StoreImplementationKey));
        services.Remove(original);
        services.AddSingleton(serviceProvider => new ControllableItemStore(
            (IItemStore)ActivatorUtilities.CreateInstance(serviceProvider, original.KeyedImplementationType!)));
        services.AddKeyedSingleton<IItemStore>(
            ItemStoreExtensions.StoreImplementationKey,
            (serviceProvider, _) => serviceProvider.GetRequiredService<ControllableItemStore>());
    }
#endif

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // WebApplicationFactory disposes through both Dispose and DisposeAsync: clean up once.
        if (disposing && Directory.Exists(_dataDirectory.FullName))
        {
#if (SampleApi)
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
#endif
            _dataDirectory.Delete(recursive: true);
        }
    }
}
