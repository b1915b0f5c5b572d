using System.Net.Http.Json;

namespace MonitoredService.Artifacts.Tests.Contract;

/// <summary>
/// One source of truth: after a traffic mix against the running service, every metric name used by
/// a rule, a dashboard panel or a runbook query is exported by the service or by a real add-on
/// exporter (Debian's postgres_exporter, blackbox exporter and node_exporter, run as the stack runs
/// them), or is a recording rule, Prometheus's own, or of an add-on that cannot run here
/// (<see cref="SignalContract.UncheckedPrefixes"/>). Renaming a metric in the code fails this test.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SignalContractTests
{
    [Fact]
    public async Task EveryMetricUsedByARuleAPanelOrARunbookIsExportedByTheService()
    {
#if (WithPostgres)
        // On PostgreSQL: the pool metrics exist only there, and rules and panels use them.
        var database = await SharedPostgres.CreateDatabaseAsync();
#endif
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Health:PublishPeriod"] = "00:00:01",
#if (WithPostgres)
            ["Store:Provider"] = "PostgreSql",
            ["ConnectionStrings:Items"] = database,
#endif
        });
        await service.WaitUntilReadyAsync();
        using var client = new HttpClient { BaseAddress = service.BaseAddress }; // keep-alive: Kestrel has an active connection
        await TrafficMixAsync(client);
        await client.WaitForMetricAsync("monitoredservice_health_probe_status", ("probe", "ready"));
#if (SampleApi)
        await client.WaitForMetricAsync("monitoredservice_store_operation_duration_seconds_count", ("operation", "count"));
#endif
#if (WithPostgres)
        await client.WaitForMetricAsync("db_client_connections", ("pool", "items"), ("state", "used"));
#endif

        var exposition = await Exposition.ScrapeAsync(client);
        var exported = SignalContract.ExportedNames(exposition).ToHashSet();

        // The store volume's metrics exist on the SQLite store only: its names from a second process,
        // scraped on its management port with a log-level override in force (that gauge has a
        // series only while one is).
        var managementPort = ServiceProcess.FreePort();
        await using (var sqlite = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Metrics:Port"] = managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Observability:Metrics:Host"] = "127.0.0.1",
        }))
        {
            await sqlite.WaitUntilReadyAsync();
            using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };
#if (SampleApi)
            using var change = await management.PostAsync("/loggers/MonitoredService.Items",
#else
            using var change = await management.PostAsync("/loggers/MonitoredService",
#endif
                new StringContent("""{"level":"Debug"}""", System.Text.Encoding.UTF8, "application/json"));
            change.EnsureSuccessStatusCode();
            exported.UnionWith(SignalContract.ExportedNames(await Exposition.ScrapeAsync(management)));
        }

#if (WithPostgres)
        exported.UnionWith(await AddOnNamesAsync(database, service));
#else
        exported.UnionWith(await AddOnNamesAsync(service));
#endif

        var uses = SignalContract.Uses().ToArray();

        uses.Select(use => use.Name).Distinct().Should().HaveCountGreaterThan(25, "the rules, dashboards and runbooks use many metrics");
        SignalContract.Unknown(uses, exported).Should().BeEmpty();

        // The check itself catches a rename: the same rules with one metric renamed.
        var renamed = RuleFiles.Rules.SelectMany(rule => PromQl.MetricNames(rule.Expr.Replace("http_requests_received_total", "http_requests_total", StringComparison.Ordinal)))
            .Select(name => ("renamed rule", name));
        SignalContract.Unknown(renamed, exported).Should().ContainSingle().Which.Should().StartWith("http_requests_total ");
    }

    [Theory]
    [InlineData("sum by (job, endpoint) (rate(http_requests_received_total{job=\"monitoredservice\", code=~\"5..\"}[5m]))", "http_requests_received_total")]
    [InlineData("histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job=\"$job\"}[$__rate_interval])))", "http_request_duration_seconds_bucket")]
    [InlineData("a:b:c / on (namespace, pod) group_left max by (namespace, pod) (kube_x{resource=\"memory\"}) > 0.9", "a:b:c kube_x")]
    [InlineData("job:slo_requests:rate1h > 1/60 and x_total offset 5m > 1e-3", "job:slo_requests:rate1h x_total")]
    [InlineData("count by (job) (count by (job, version) (monitoredservice_build_info{job=\"monitoredservice\"})) > 1", "monitoredservice_build_info")]
    public void MetricNamesAreReadFromPromQl(string expression, string names)
    {
        PromQl.MetricNames(expression).Should().BeEquivalentTo(names.Split(' '));
    }

    /// <summary>What the real exporters expose: postgres_exporter on the service's database, both blackbox modules on the service, node_exporter.</summary>
#if (WithPostgres)
    private static async Task<IReadOnlySet<string>> AddOnNamesAsync(string database, ServiceProcess service)
#else
    private static async Task<IReadOnlySet<string>> AddOnNamesAsync(ServiceProcess service)
#endif
    {
        var names = new HashSet<string>();
#if (WithPostgres)
        await using (var postgres = await Exporter.StartPostgresAsync(database))
        {
            var text = await postgres.ScrapeAsync();
            text.Should().Contain("pg_up 1", "postgres_exporter reaches the database");
            names.UnionWith(SignalContract.ExportedNames(new Exposition(text)));
        }
#endif

        var directory = Directory.CreateTempSubdirectory("monitoredservice-contract-");
        try
        {
            await using var blackbox = await Exporter.StartBlackboxAsync("unused-the-api-is-open-here", directory);
#if (SampleApi)
            foreach (var (module, target) in new[] { ("monitoredservice_ready", $"{service.BaseAddress}health/ready"), ("monitoredservice_api", $"127.0.0.1:{service.BaseAddress.Port}") })
#else
            foreach (var (module, target) in new[] { ("monitoredservice_ready", $"{service.BaseAddress}health/ready") })
#endif
            {
                var text = await blackbox.ProbeAsync(module, target);
                text.Should().Contain("probe_success 1", $"module {module} succeeds on a healthy service");
                names.UnionWith(SignalContract.ExportedNames(new Exposition(text)));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        await using (var node = await Exporter.StartNodeAsync())
        {
            names.UnionWith(SignalContract.ExportedNames(new Exposition(await node.ScrapeAsync())));
        }

#if (WithPostgres)
        names.Should().Contain(["pg_up", "probe_success", "node_uname_info"]);
#else
        names.Should().Contain(["probe_success", "node_uname_info"]);
#endif
        return names;
    }

    private static async Task TrafficMixAsync(HttpClient client)
    {
#if (SampleApi)
        var created = await client.PostAsJsonAsync("/api/items", new { name = "contract" });
        created.EnsureSuccessStatusCode();
        await client.GetAsync(created.Headers.Location);
        await client.GetAsync("/api/items?limit=5");
        await client.GetAsync("/api/items/999999");
        await client.GetAsync("/api/items/not-a-number");
        await client.PostAsJsonAsync("/api/items", new { name = "" });
        await client.DeleteAsync(created.Headers.Location);
#endif
        await client.GetAsync("/no/such/route");
        foreach (var probe in new[] { "/health/live", "/health/ready", "/health/startup" })
        {
            await client.GetAsync(probe);
        }
    }
}
