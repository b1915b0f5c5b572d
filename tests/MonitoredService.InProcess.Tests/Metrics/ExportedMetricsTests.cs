using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using MonitoredService.InProcess.Tests.Infrastructure;
using Prometheus;

namespace MonitoredService.InProcess.Tests.Metrics;

/// <summary>What /metrics exports besides HTTP: runtime, health, build info, domain; and what it leaves out.</summary>
public sealed class ExportedMetricsTests
{
    [Fact]
    public async Task TheRuntimeMetricsAnOperatorReadsAreExportedWithPrometheusTypes()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();
        await client.GetAsync("/api/items/abc"); // throws (and handles) an exception

        var metrics = await Exposition.ScrapeAsync(client);

        metrics.Families.Should().Contain([
            "process_cpu_seconds_total", "process_working_set_bytes", "process_start_time_seconds",
            "dotnet_collection_count_total", "dotnet_gc_pause_time_seconds_total", "dotnet_gc_heap_total_allocated_bytes_total",
            "dotnet_gc_last_collection_heap_size_bytes", "dotnet_thread_pool_queue_length", "dotnet_thread_pool_threads",
            "dotnet_exceptions_total", "dotnet_monitor_lock_contentions_total",
        ]);
        metrics.Text.Should().Contain("# TYPE dotnet_exceptions_total counter").And.Contain("# TYPE dotnet_thread_pool_queue_length gauge");
        metrics.Value("dotnet_exceptions_total", ("error_type", "BadHttpRequestException")).Should().BeGreaterThan(0);
        metrics.Value("dotnet_thread_pool_threads").Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task MetersNobodyReadsAreNotExported()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();
        await client.GetAsync("/api/items");

        var metrics = await Exposition.ScrapeAsync(client);

        metrics.Text.Should().NotContainAny("quic", "private_internaldiagnostics", "system_runtime_", "microsoft_aspnetcore_", "prometheus_net_");
        metrics.Families.Count.Should().BeLessThan(45, "the export is a chosen set: {0}", string.Join(", ", metrics.Families));
    }

    [Fact]
    public async Task BuildInfoIsOneWithTheVersionAndCommit()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        var metrics = await Exposition.ScrapeAsync(client);

        var line = metrics.Series.Single(series => series.StartsWith("monitoredservice_build_info{", StringComparison.Ordinal));
        line.Should().MatchRegex(@"^monitoredservice_build_info\{version=""\d+\.\d+\.\d+[^""]*"",commit=""[0-9a-f]{7,40}|unknown""\} 1$");
    }

    [Fact]
    public async Task HealthMetricsFollowTheChecks()
    {
        using var app = new MonitoredServiceApplication()
            .WithSetting("Observability:Health:PublishPeriod", "00:00:01")
            .WithSetting("Observability:Health:CacheDuration", "00:00:00");
        using var client = await app.CreateReadyClientAsync();
        await WaitForValueAsync(client, "monitoredservice_health_check_status", ("check", "store"), 1);

        app.Store.Mode = StoreMode.Broken;
        await WaitForValueAsync(client, "monitoredservice_health_check_status", ("check", "store"), 0);
        var broken = await Exposition.ScrapeAsync(client);
        app.Store.Mode = StoreMode.Working;
        await WaitForValueAsync(client, "monitoredservice_health_check_status", ("check", "store"), 1);

        broken.Value("monitoredservice_health_probe_status", ("probe", "ready")).Should().Be(0);
        broken.Value("monitoredservice_health_probe_status", ("probe", "live")).Should().Be(1);
        broken.Value("monitoredservice_health_probe_status", ("probe", "startup")).Should().Be(1);
        broken.Value("monitoredservice_health_check_status", ("check", "self")).Should().Be(1);
        broken.Value("monitoredservice_health_check_duration_seconds", ("check", "store")).Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task DomainMetricsCountOperationsByOutcomeAndTimeTheStore()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        await client.PostAsJsonAsync("/api/items", new { name = "one" });
        await client.PostAsJsonAsync("/api/items", new { name = "" });
        await client.GetAsync("/api/items/999");
        app.Store.Mode = StoreMode.Broken;
        await client.GetAsync("/api/items/1");
        app.Store.Mode = StoreMode.Working;
        var metrics = await Exposition.ScrapeAsync(client);

        metrics.Value("monitoredservice_items_operations_total", ("operation", "create"), ("outcome", "success")).Should().Be(1);
        metrics.Value("monitoredservice_items_operations_total", ("operation", "create"), ("outcome", "invalid")).Should().Be(1);
        metrics.Value("monitoredservice_items_operations_total", ("operation", "get"), ("outcome", "not_found")).Should().Be(1);
        metrics.Value("monitoredservice_items_operations_total", ("operation", "get"), ("outcome", "error")).Should().Be(1);
        metrics.Value("monitoredservice_items_operations_total", ("operation", "delete"), ("outcome", "success")).Should().Be(0, "every series exists from the start");
        metrics.Value("monitoredservice_store_operation_duration_seconds_count", ("operation", "create"), ("outcome", "success")).Should().Be(1);
        metrics.Value("monitoredservice_store_operation_duration_seconds_count", ("operation", "get"), ("outcome", "error")).Should().Be(1);
    }

    [Fact]
    public async Task TheItemsGaugeCountsWhatTheStoreHolds()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("monitoredservice-count-");
        try
        {
            var path = Path.Combine(dataDirectory.FullName, "items.db");
            using (var first = new MonitoredServiceApplication().WithSetting("Store:Path", path))
            {
                using var client = await first.CreateReadyClientAsync();
                for (var i = 0; i < 3; i++)
                {
                    (await client.PostAsJsonAsync("/api/items", new { name = $"item {i}" })).EnsureSuccessStatusCode();
                }
            }

            using var second = new MonitoredServiceApplication().WithSetting("Store:Path", path);
            using var restarted = await second.CreateReadyClientAsync();

            await WaitForValueAsync(restarted, "monitoredservice_items_stored", ("", ""), 3);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dataDirectory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task PromtoolAcceptsTheExposition()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();
        await client.PostAsJsonAsync("/api/items", new { name = "lint me" });
        await client.GetAsync("/api/items/abc");
        await client.GetAsync("/nowhere");

        var metrics = await Exposition.ScrapeAsync(client);
        var (exitCode, output) = await Tools.PromtoolWithInputAsync(metrics.Text, "check", "metrics");

        exitCode.Should().Be(0, output);
        output.Trim().Should().BeEmpty("promtool reports lint problems on its output: {0}", output);
    }

    [Fact]
    public async Task MetricsCanBeSwitchedOff()
    {
        using var app = new MonitoredServiceApplication().WithSetting("Observability:Metrics:Enabled", "false");
        using var client = await app.CreateReadyClientAsync();
        await client.GetAsync("/api/items");

        using var response = await client.GetAsync("/metrics");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var registry = app.Services.GetRequiredService<CollectorRegistry>();
        using var exported = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(exported);
        System.Text.Encoding.UTF8.GetString(exported.ToArray()).Should().NotContain("http_requests_received_total{");
    }

    private static async Task WaitForValueAsync(HttpClient client, string name, (string, string) label, double expected)
    {
        var deadline = DateTime.UtcNow + Eventually.Bound;
        double? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var metrics = await Exposition.ScrapeAsync(client);
            last = label.Item1.Length == 0 ? metrics.Value(name) : metrics.Value(name, label);
            if (last == expected)
            {
                return;
            }

            await Task.Delay(50);
        }

        last.Should().Be(expected, $"{name} should reach {expected}");
    }
}
