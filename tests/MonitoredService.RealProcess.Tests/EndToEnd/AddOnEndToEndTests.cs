using System.Diagnostics;
using Xunit.Abstractions;

namespace MonitoredService.RealProcess.Tests.EndToEnd;

/// <summary>
/// The add-ons, run: Debian's postgres_exporter, blackbox exporter and node_exporter as real
/// processes, scraped by a real Prometheus with the add-on jobs of the shipped compose configuration
/// (its targets pointed here) and our rules, alerting through a real Alertmanager with our routing
/// and inhibitions. Two services as job monitoredservice: one on its own PostgreSQL server (with a
/// token-protected API, reached "from outside" through a TCP forwarder standing in for the Service
/// or ingress), one on SQLite on a small tmpfs. Acts: healthy (no alert; every panel's queries
/// evaluate, with data where data can be), the outside path broken while the scrape works, the
/// SQLite volume filling, PostgreSQL stopped (server-down from postgres_exporter pages; the
/// service's readiness alerts fire and are inhibited by it). Needs root (mount).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class AddOnEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan AlertBound = TimeSpan.FromSeconds(120);

    /// <summary>Panels with no data in the healthy act, and why.</summary>
    private static readonly Dictionary<string, string> PanelsWithoutDataHere = new()
    {
        ["Exceptions by type"] = "no exception was thrown",
        ["Command failures and pool timeouts"] = "no PostgreSQL command failed and no request waited for the pool",
        ["Log buffer free"] = "Fluent Bit is not installable here",
        ["Firing and pending alerts"] = "nothing is pending or firing yet (the last act checks it with alerts)",
        ["Alerts over time"] = "nothing has fired yet (the last act checks it with alerts)",
        ["Alert rules without their data"] = "an ...Absent alert needs an hour of the service's history",
    };

#if (WithAuth)
    private static readonly TestTokens Tokens = new();
#endif

    [Fact]
    public async Task TheAddOnsAlertsFireFromRealExporters()
    {
        await using var postgres = await PostgresServer.StartNewAsync();
        var database = await postgres.CreateDatabaseAsync("items");
        await using var volume = await SmallFilesystem.MountAsync(16);
        var port = ServiceProcess.FreePort();
        var sqlitePort = ServiceProcess.FreePort();
        await using var ingress = new TcpForwarder(port);
        var work = Directory.CreateTempSubdirectory("monitoredservice-addons-");
        await using var postgresExporter = await Exporter.StartPostgresAsync(database);
#if (WithAuth)
        await using var blackbox = await Exporter.StartBlackboxAsync(Tokens.Mint(subject: "blackbox", scope: "items:write", lifetime: TimeSpan.FromHours(2)), work);
#else
        await using var blackbox = await Exporter.StartBlackboxAsync(token: null, work);
#endif
        await using var node = await Exporter.StartNodeAsync();
        await using var stack = await MonitoringStack.StartAsync([port, sqlitePort],
            new MonitoringStack.AddOns(postgresExporter.Address, blackbox.Address, node.Address, ingress.Address));
        await using var service = await StartAsync(port, new() { ["Store:Provider"] = "PostgreSql", ["ConnectionStrings:Items"] = database });
        await using var sqlite = await StartAsync(sqlitePort, new() { ["Store:Path"] = Path.Combine(volume.Path, "items.db") });
        var instance = $"127.0.0.1:{port}";
        var clock = Stopwatch.StartNew();
        try
        {
#if (WithAuth)
            using var traffic = new Traffic(service.BaseAddress, Tokens.Mint(subject: "e2e-traffic", scope: "items:write", lifetime: TimeSpan.FromHours(2)));
#else
            using var traffic = new Traffic(service.BaseAddress, token: null);
#endif

            // Act 1: healthy. Every target up, both probes succeed, no alert (the host's own state aside).
            foreach (var job in new[] { "monitoredservice", "monitoredservice-postgres", "monitoredservice-blackbox", "node" })
            {
                await Eventually.TrueAsync(async () => await stack.ScalarAsync($"min(up{{job=\"{job}\"}})") == 1, $"Prometheus should scrape job {job}", TimeSpan.FromSeconds(60));
            }

            await Eventually.TrueAsync(async () => await stack.ScalarAsync("count(probe_success{job=\"monitoredservice-blackbox\"} == 1)") == 2,
                "both modules succeed through the path from outside", TimeSpan.FromSeconds(60));
            (await stack.ScalarAsync("pg_up{job=\"monitoredservice-postgres\"}")).Should().Be(1);
            await Task.Delay(MonitoringStack.For + TimeSpan.FromSeconds(5));
            var alerts = await stack.AlertsAsync();
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s healthy; the host's alerts: {string.Join(", ", alerts.Where(HostAlert).Select(a => a.Name))}");
            alerts.Where(alert => !HostAlert(alert)).Should().BeEmpty("a healthy service with its add-ons raises no alert, not even an ...Absent one");
            var empty = await stack.PanelsWithoutDataAsync(DashboardFiles.Paths);
            output.WriteLine($"panels without data: {string.Join(", ", empty)}");
            empty.Should().BeEquivalentTo(PanelsWithoutDataHere.Keys, "every other panel, the add-ons' included, shows data");

            // Act 2: the path from outside breaks; Prometheus still scrapes the instances.
            ingress.Break();
            var outside = await stack.WaitForAlertAsync("MonitoredServiceOutsideViewFailing", "firing", AlertBound);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s outside view failing ({outside["module"]})");
            outside.Should().Contain("job", "monitoredservice-blackbox").And.Contain("severity", "critical");
            (await stack.ScalarAsync($"up{{job=\"monitoredservice\", instance=\"{instance}\"}}")).Should().Be(1, "the scrape still works");
            (await stack.AlertsAsync()).Should().NotContain(a => a.Name == "MonitoredServiceTargetDown");
            await stack.Webhook.WaitForAsync("pager", "MonitoredServiceOutsideViewFailing", AlertBound);

            // Act 3: the SQLite volume fills (another writer on the same filesystem).
            volume.FillUntilFree(0.05);
            var low = await stack.WaitForAlertAsync("MonitoredServiceStoreVolumeLow", "firing", AlertBound);
            low.Should().Contain("instance", $"127.0.0.1:{sqlitePort}").And.Contain("severity", "warning");
            await stack.Webhook.WaitForAsync("team-chat", "MonitoredServiceStoreVolumeLow", AlertBound);
            stack.Webhook.AlertsSentTo("pager").Should().NotContain(a => a.Labels["alertname"] == "MonitoredServiceStoreVolumeLow", "a warning does not page");
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s store volume low firing, team channel notified");

            // Act 4: PostgreSQL stops.
            await postgres.StopAsync();
            var down = await stack.WaitForAlertAsync("MonitoredServicePostgresDown", "firing", AlertBound);
            down.Should().Contain("job", "monitoredservice-postgres").And.Contain("severity", "critical");
            await stack.Webhook.WaitForAsync("pager", "MonitoredServicePostgresDown", AlertBound);
            foreach (var symptom in new[] { "MonitoredServiceNotReady", "MonitoredServiceHealthCheckFailing" })
            {
                (await stack.WaitForAlertAsync(symptom, "firing", AlertBound)).Should().Contain("instance", instance);
            }

            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s postgres down paged; readiness alerts firing in Prometheus");
            await Eventually.TrueAsync(async () => (await stack.AlertmanagerAlertsAsync("MonitoredServiceNotReady")).Length > 0
                && (await stack.AlertmanagerAlertsAsync("MonitoredServiceHealthCheckFailing")).Length > 0, "Alertmanager holds the symptoms", AlertBound);
            await Task.Delay(TimeSpan.FromSeconds(3)); // several group intervals
            foreach (var symptom in new[] { "MonitoredServiceNotReady", "MonitoredServiceHealthCheckFailing" })
            {
                var held = (await stack.AlertmanagerAlertsAsync(symptom)).Single(a => a.GetProperty("labels").GetProperty("instance").GetString() == instance);
                held.GetProperty("status").GetProperty("state").GetString().Should().Be("suppressed", $"{symptom}'s cause is named by MonitoredServicePostgresDown");
                stack.Webhook.AlertsSentTo("team-chat").Should().NotContain(a => a.Labels["alertname"] == symptom, "an inhibited alert is not sent");
            }

            // The alerts dashboard, now that alerts fire.
            (await stack.PanelsWithoutDataAsync([Repository.Path("dashboards", "monitoredservice-alerts.json")]))
                .Should().BeEquivalentTo(["Alert rules without their data"], "the alerts now show on the dashboard");
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s done; notifications: " +
                string.Join(", ", stack.Webhook.Notifications.SelectMany(n => n.Payload.GetProperty("alerts").EnumerateArray()
                    .Select(a => $"{n.Receiver}:{a.GetProperty("labels").GetProperty("alertname").GetString()}")).Distinct()));
        }
        catch
        {
            var target = Repository.Path("artifacts", "e2e-addons");
            stack.KeepLogs(target);
            foreach (var exporter in new[] { postgresExporter, blackbox, node })
            {
                File.Copy(exporter.LogPath, Path.Combine(target, Path.GetFileName(exporter.LogPath)), overwrite: true);
            }

            await File.WriteAllTextAsync(Path.Combine(target, "service.log"), service.Stdout + service.Stderr);
            output.WriteLine($"logs kept in {target}");
            throw;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The host alerts report this machine, whatever its state; the test does not own it.</summary>
    private static bool HostAlert((string Name, string State, Dictionary<string, string> Labels) alert) =>
        alert.Name.StartsWith("MonitoredServiceHost", StringComparison.Ordinal);

    private static async Task<ServiceProcess> StartAsync(int port, Dictionary<string, string> settings)
    {
        settings["Observability:Health:PublishPeriod"] = "00:00:01";
        settings["Observability:Shutdown:DrainDelay"] = "00:00:00";
#if (WithAuth)
        settings["Authentication:Jwt:SigningKey"] = Tokens.SigningKey;
#endif
        var service = ServiceProcess.Start(settings, port, assembly: await PublishedService.AssemblyAsync());
        await service.WaitUntilReadyAsync();
        return service;
    }

    /// <summary>A tmpfs of a few MiB, mounted for the test (root only), that a filler file can make full.</summary>
    private sealed class SmallFilesystem : IAsyncDisposable
    {
        private SmallFilesystem(string path) => Path = path;

        public string Path { get; }

        public static async Task<SmallFilesystem> MountAsync(int mebibytes)
        {
            var directory = Directory.CreateTempSubdirectory("monitoredservice-small-volume-").FullName;
            var mount = await Tools.RunAsync("mount", ["-t", "tmpfs", "-o", $"size={mebibytes}m", "tmpfs", directory]);
            mount.ExitCode.Should().Be(0, $"mounting a tmpfs needs root, as the test command runs: {mount.All}");
            return new SmallFilesystem(directory);
        }

        /// <summary>Writes a file until only <paramref name="share"/> of the filesystem is free.</summary>
        public void FillUntilFree(double share)
        {
            var drive = new DriveInfo(Path);
            var bytes = drive.AvailableFreeSpace - (long)(drive.TotalSize * share);
            using var filler = File.Create(System.IO.Path.Combine(Path, "filler"));
            filler.Write(new byte[bytes]);
        }

        public async ValueTask DisposeAsync()
        {
            await Tools.RunAsync("umount", ["-l", Path]);
            Directory.Delete(Path, recursive: true);
        }
    }
}
