#if (WithPostgres)
using Npgsql;
#endif

namespace MonitoredService.Testing;

/// <summary>
/// Debian's exporters (the test command installs prometheus-postgres-exporter,
/// prometheus-blackbox-exporter and prometheus-node-exporter) as real processes on 127.0.0.1 and a
/// free port, configured as the shipped stack configures them: postgres_exporter from
/// DATA_SOURCE_URI/USER/PASS, the blackbox exporter on the shipped modules with the probe's token
/// put in for <c>@TOKEN@</c>, node_exporter with its default collectors.
/// </summary>
public sealed class Exporter : IAsyncDisposable
{
    /// <summary>The modules the blackbox exporter runs, in compose and in Kubernetes alike.</summary>
    public static string BlackboxModulesPath => Repository.Path("deploy", "k8s", "addons", "blackbox-exporter", "blackbox.yml");

    /// <summary>Where the modules name the probe's bearer token; the container's command puts the Secret's in.</summary>
    public const string TokenPlaceholder = "@TOKEN@";

    private readonly BackgroundProcess _process;
    private readonly DirectoryInfo _directory;

    private Exporter(BackgroundProcess process, DirectoryInfo directory, int port)
    {
        _process = process;
        _directory = directory;
        Address = $"127.0.0.1:{port}";
    }

    /// <summary>host:port, for a scrape target.</summary>
    public string Address { get; }

    public string LogPath => _process.LogPath;

#if (WithPostgres)
    /// <summary>postgres_exporter on the server of <paramref name="connectionString"/> (its host, port, login).</summary>
    public static async Task<Exporter> StartPostgresAsync(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        return await StartAsync("postgres", "prometheus-postgres-exporter", port => [$"--web.listen-address=127.0.0.1:{port}"], "/metrics", new()
        {
            ["DATA_SOURCE_URI"] = $"{settings.Host}:{settings.Port}/{settings.Database}?sslmode=disable",
            ["DATA_SOURCE_USER"] = settings.Username!,
            ["DATA_SOURCE_PASS"] = settings.Password!,
        });
    }
#endif

    /// <summary>The blackbox exporter on the shipped modules, probing with <paramref name="token"/> (null: modules without one).</summary>
    public static Task<Exporter> StartBlackboxAsync(string? token, DirectoryInfo directory)
    {
        var config = Path.Combine(directory.FullName, "blackbox.yml");
        var modules = File.ReadAllText(BlackboxModulesPath);
        File.WriteAllText(config, token is null ? modules : modules.Replace(TokenPlaceholder, token, StringComparison.Ordinal));
        return StartAsync("blackbox", "prometheus-blackbox-exporter", port => [$"--config.file={config}", $"--web.listen-address=127.0.0.1:{port}"], "/-/healthy");
    }

    public static Task<Exporter> StartNodeAsync() =>
        StartAsync("node", "prometheus-node-exporter", port => [$"--web.listen-address=127.0.0.1:{port}"], "/metrics");

    /// <summary>A probe of <paramref name="target"/> with <paramref name="module"/>: the exposition the exporter answers.</summary>
    public async Task<string> ProbeAsync(string module, string target)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        return await client.GetStringAsync($"http://{Address}/probe?module={module}&target={Uri.EscapeDataString(target)}");
    }

    public async Task<string> ScrapeAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        return await client.GetStringAsync($"http://{Address}/metrics");
    }

    private static async Task<Exporter> StartAsync(string name, string tool, Func<int, string[]> arguments, string readyPath, Dictionary<string, string>? environment = null)
    {
        var directory = Directory.CreateTempSubdirectory($"monitoredservice-{name}-exporter-");
        var port = ServiceProcess.FreePort();
        var process = BackgroundProcess.Start(tool, arguments(port), Path.Combine(directory.FullName, $"{name}-exporter.log"), environment);
        var exporter = new Exporter(process, directory, port);
        await process.WaitUntilReadyAsync(new Uri($"http://{exporter.Address}{readyPath}"));
        return exporter;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _directory.Delete(recursive: true);
    }
}
