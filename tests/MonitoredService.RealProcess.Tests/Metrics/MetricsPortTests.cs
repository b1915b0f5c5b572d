using System.Net;

namespace MonitoredService.RealProcess.Tests.Metrics;

/// <summary>/metrics on its own port (for a NetworkPolicy that opens it to monitoring only).</summary>
[Collection(ProcessCollection.Name)]
public sealed class MetricsPortTests
{
    [Fact]
    public async Task WithAMetricsPortMetricsAreServedThereAndNotOnTheApplicationPort()
    {
        var metricsPort = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Metrics:Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Observability:Metrics:Host"] = "127.0.0.1",
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
        });
        await service.WaitUntilReadyAsync();
        using var app = new HttpClient { BaseAddress = service.BaseAddress }; // keeps its connection open
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };

        (await app.GetAsync("/api/items")).EnsureSuccessStatusCode();
        using var onAppPort = await app.GetAsync("/metrics");
        var exposition = await Exposition.ScrapeAsync(metrics);

        onAppPort.StatusCode.Should().Be(HttpStatusCode.NotFound);
        exposition.Value("http_requests_received_total", ("code", "200"), ("endpoint", "/api/items")).Should().Be(1);
        exposition.Value("kestrel_active_connections").Should().Be(1, "the test's keep-alive connection to the application port is open");
        exposition.Families.Should().Contain(["kestrel_queued_connections", "kestrel_rejected_connections_total"]);
        exposition.Text.Should().NotContain("endpoint=\"/metrics\"", "scrapes on the metrics port are not application requests");
    }

    [Fact]
    public async Task AMetricsPortThatIsTakenStopsTheServiceAtStart()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Metrics:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Observability:Metrics:Host"] = "127.0.0.1",
        });

        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));

        exitCode.Should().NotBe(0);
        service.Stdout.Should().Contain("Hosting failed to start");
    }
}
