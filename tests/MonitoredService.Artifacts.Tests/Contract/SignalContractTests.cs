using System.Net.Http.Json;

namespace MonitoredService.Artifacts.Tests.Contract;

/// <summary>
/// One source of truth: after a traffic mix against the running service, every metric name used by
/// a rule, a dashboard panel or a runbook query is exported by the service (or is a recording rule,
/// or an external metric on the explicit list). Renaming a metric in the code fails this test.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SignalContractTests
{
    [Fact]
    public async Task EveryMetricUsedByARuleAPanelOrARunbookIsExportedByTheService()
    {
        // On PostgreSQL: the pool metrics exist only there, and rules and panels use them.
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Health:PublishPeriod"] = "00:00:01",
            ["Store:Provider"] = "PostgreSql",
            ["ConnectionStrings:Items"] = await SharedPostgres.CreateDatabaseAsync(),
        });
        await service.WaitUntilReadyAsync();
        using var client = new HttpClient { BaseAddress = service.BaseAddress }; // keep-alive: Kestrel has an active connection
        await TrafficMixAsync(client);
        await client.WaitForMetricAsync("monitoredservice_health_probe_status", ("probe", "ready"));
        await client.WaitForMetricAsync("monitoredservice_store_operation_duration_seconds_count", ("operation", "count"));
        await client.WaitForMetricAsync("db_client_connections", ("pool", "items"), ("state", "used"));

        var exposition = await Exposition.ScrapeAsync(client);
        var exported = SignalContract.ExportedNames(exposition).ToHashSet();

        // The store volume's metrics exist on the SQLite store only: its names from a second process.
        await using (var sqlite = ServiceProcess.Start())
        {
            await sqlite.WaitUntilReadyAsync();
            using var sqliteClient = new HttpClient { BaseAddress = sqlite.BaseAddress };
            exported.UnionWith(SignalContract.ExportedNames(await Exposition.ScrapeAsync(sqliteClient)));
        }

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

    private static async Task TrafficMixAsync(HttpClient client)
    {
        var created = await client.PostAsJsonAsync("/api/items", new { name = "contract" });
        created.EnsureSuccessStatusCode();
        await client.GetAsync(created.Headers.Location);
        await client.GetAsync("/api/items?limit=5");
        await client.GetAsync("/api/items/999999");
        await client.GetAsync("/api/items/not-a-number");
        await client.PostAsJsonAsync("/api/items", new { name = "" });
        await client.DeleteAsync(created.Headers.Location);
        await client.GetAsync("/no/such/route");
        foreach (var probe in new[] { "/health/live", "/health/ready", "/health/startup" })
        {
            await client.GetAsync(probe);
        }
    }
}
