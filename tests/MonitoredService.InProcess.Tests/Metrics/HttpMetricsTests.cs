using System.Net.Http.Json;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Metrics;

/// <summary>HTTP RED metrics by route template, with a series count that random input cannot grow.</summary>
public sealed class HttpMetricsTests
{
    [Fact]
    public async Task RequestsAreCountedAndTimedByRouteTemplateNeverByRawPath()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        await client.GetAsync("/api/items/41");
        await client.GetAsync("/api/items/42");
        await client.PostAsJsonAsync("/api/items", new { name = "counted" });
        var metrics = await Exposition.ScrapeAsync(client);

        metrics.Value("http_requests_received_total", ("code", "404"), ("method", "GET"), ("endpoint", "/api/items/{id}")).Should().Be(2);
        metrics.Value("http_requests_received_total", ("code", "201"), ("method", "POST"), ("endpoint", "/api/items")).Should().Be(1);
        metrics.Value("http_request_duration_seconds_count", ("code", "404"), ("endpoint", "/api/items/{id}")).Should().Be(2);
        metrics.Value("http_request_duration_seconds_bucket", ("code", "404"), ("endpoint", "/api/items/{id}"), ("le", "+Inf")).Should().Be(2);
        metrics.Value("http_requests_in_progress", ("method", "GET"), ("endpoint", "/api/items/{id}")).Should().Be(0);
        metrics.Text.Should().NotContain("/api/items/41").And.NotContain("controller=").And.NotContain("action=");
    }

    [Fact]
    public async Task TheSloLatencyThresholdsAreBucketBounds()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        await client.GetAsync("/api/items");
        var metrics = await Exposition.ScrapeAsync(client);

        foreach (var bound in new[] { "0.1", "0.25", "0.5", "1" })
        {
            metrics.Value("http_request_duration_seconds_bucket", ("endpoint", "/api/items"), ("le", bound)).Should().NotBeNull($"le={bound} is a bucket");
        }
    }

    [Fact]
    public async Task ARequestRejectedThroughTheExceptionHandlerKeepsItsRoute()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        await client.GetAsync("/api/items/not-a-number");
        var metrics = await Exposition.ScrapeAsync(client);

        metrics.Value("http_requests_received_total", ("code", "400"), ("endpoint", "/api/items/{id}")).Should().Be(1);
    }

    [Fact]
    public async Task AStoreFailureIsCountedAs503OnItsRoute()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();
        app.Store.Mode = StoreMode.Broken;

        await client.GetAsync("/api/items/1");
        var metrics = await Exposition.ScrapeAsync(client);

        metrics.Value("http_requests_received_total", ("code", "503"), ("endpoint", "/api/items/{id}")).Should().Be(1);
    }

    [Fact]
    public async Task ScrapesAreNotCountedAsRequests()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        await Exposition.ScrapeAsync(client);
        var metrics = await Exposition.ScrapeAsync(client);

        metrics.Text.Should().NotContain("endpoint=\"/metrics\"");
    }
}
