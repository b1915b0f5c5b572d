using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.FaultInjection;

/// <summary>Opt-in faults on /api/* only; off by default.</summary>
public sealed class FaultInjectionTests
{
    [Fact]
    public async Task ErrorRateOneFailsEveryApiRequestWithAProblem()
    {
        using var app = new MonitoredServiceApplication().WithSetting("FaultInjection:ErrorRate", "1");
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.GetAsync("/api/items");

        var problem = await response.ShouldBeProblemAsync(500);
        problem.GetProperty("title").GetString().Should().Be("Injected fault");
    }

    [Fact]
    public async Task ErrorRateHalfFailsAboutHalfOfTheApiRequests()
    {
        using var app = new MonitoredServiceApplication().WithSetting("FaultInjection:ErrorRate", "0.5");
        using var client = await app.CreateReadyClientAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 400; i++)
        {
            statuses.Add((await client.GetAsync("/api/items?limit=1")).StatusCode);
        }

        // 400 draws at p=0.5: the count of failures lies in [140, 260] with probability > 1 - 1e-9.
        statuses.Count(status => status == HttpStatusCode.InternalServerError).Should().BeInRange(140, 260);
        statuses.Should().OnlyContain(status => status == HttpStatusCode.OK || status == HttpStatusCode.InternalServerError);
    }

    [Fact]
    public async Task FaultsNeverTouchProbesOrMetrics()
    {
        using var app = new MonitoredServiceApplication()
            .WithSetting("FaultInjection:ErrorRate", "1")
            .WithSetting("FaultInjection:LatencyMs", "2000");
        using var client = await app.CreateReadyClientAsync();

        var clock = Stopwatch.StartNew();
        foreach (var path in new[] { "/health/live", "/health/ready", "/health/startup", "/metrics" })
        {
            (await client.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.OK, path);
        }

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2), "no 2 s latency was added to any of the four");
    }

    [Fact]
    public async Task LatencyIsAddedToApiRequests()
    {
        using var app = new MonitoredServiceApplication().WithSetting("FaultInjection:LatencyMs", "300");
        using var client = await app.CreateReadyClientAsync();

        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsJsonAsync("/api/items", new { name = "slow" });
        clock.Stop();

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        // The runtime's timers count whole milliseconds of a coarser clock than the stopwatch's: the
        // 300 ms delay once measured 298.6 ms here.
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290));
    }

    [Fact]
    public async Task FaultInjectionIsOffByDefault()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ => (await client.GetAsync("/api/items?limit=1")).StatusCode));

        statuses.Should().OnlyContain(status => status == HttpStatusCode.OK);
    }
}
