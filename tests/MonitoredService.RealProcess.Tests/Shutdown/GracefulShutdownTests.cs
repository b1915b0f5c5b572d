using System.Diagnostics;
using System.Net;

namespace MonitoredService.RealProcess.Tests.Shutdown;

/// <summary>SIGTERM: readiness 503 at once, serve through the drain delay, finish in-flight work, exit 0.</summary>
[Collection(ProcessCollection.Name)]
public sealed class GracefulShutdownTests
{
    private static readonly TimeSpan DrainDelay = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan ApiLatency = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task SigtermFailsReadinessAtOnceServesThroughTheDrainFinishesInFlightRequestsAndExitsZero()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Shutdown:DrainDelay"] = DrainDelay.ToString(),
            // Every API request takes 2 s: long enough to be in flight when the drain ends.
            ["FaultInjection:LatencyMs"] = ApiLatency.TotalMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();

        var sinceSigterm = Stopwatch.StartNew();
        service.Terminate();

        // 1. Readiness fails within a second; liveness does not.
        var readinessFailedAfter = await TimeUntilAsync(client, "/health/ready", HttpStatusCode.ServiceUnavailable, sinceSigterm);
        (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);

        // 2. Requests sent during the drain, each completing before it ends, all succeed.
        var duringDrain = new List<Task<HttpResponseMessage>>();
        while (sinceSigterm.Elapsed < DrainDelay - ApiLatency - TimeSpan.FromMilliseconds(200))
        {
            duringDrain.Add(client.GetAsync("/api/items?limit=1"));
            await Task.Delay(150);
        }

        // 3. A request still in flight when the drain ends (sent 1 s before, it needs 2 s) completes.
        await DelayUntil(sinceSigterm, DrainDelay - TimeSpan.FromSeconds(1));
        var inFlightSentAt = sinceSigterm.Elapsed;
        var inFlight = client.GetAsync("/api/items?limit=1");
        await DelayUntil(sinceSigterm, DrainDelay + TimeSpan.FromMilliseconds(200));
        var inFlightWhenDrainEnded = !inFlight.IsCompleted;

        // 4. Once the drain is over the server stops accepting connections.
        var refused = await ConnectionIsRefusedAsync(service);

        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));

        readinessFailedAfter.Should().BeLessThan(TimeSpan.FromSeconds(1));
        duringDrain.Should().HaveCountGreaterThan(3);
        (await Task.WhenAll(duringDrain)).Select(response => response.StatusCode)
            .Should().OnlyContain(status => status == HttpStatusCode.OK);
        inFlightWhenDrainEnded.Should().BeTrue($"the request sent at {inFlightSentAt} was still running when the drain ended");
        (await inFlight).StatusCode.Should().Be(HttpStatusCode.OK, $"it was sent at {inFlightSentAt}, before the drain ended at {DrainDelay}");
        refused.Should().BeTrue("the listener closes when the drain delay is over");
        exitCode.Should().Be(0, service.Stderr);
        service.Stdout.Should().Contain("Shutdown requested: readiness is failing; serving for 4 s");
    }

    [Fact]
    public async Task AnIdleServiceExitsZeroRightAfterTheDrainDelay()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Shutdown:DrainDelay"] = "00:00:01",
        });
        await service.WaitUntilReadyAsync();

        var sinceSigterm = Stopwatch.StartNew();
        service.Terminate();
        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));

        exitCode.Should().Be(0, service.Stderr);
        sinceSigterm.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1), "it served for the whole drain delay");
    }

    private static async Task<TimeSpan> TimeUntilAsync(HttpClient client, string path, HttpStatusCode expected, Stopwatch clock)
    {
        while ((await client.GetAsync(path)).StatusCode != expected)
        {
            clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), $"{path} should answer {expected}");
            await Task.Delay(10);
        }

        return clock.Elapsed;
    }

    private static async Task DelayUntil(Stopwatch clock, TimeSpan at)
    {
        var remaining = at - clock.Elapsed;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }
    }

    private static async Task<bool> ConnectionIsRefusedAsync(ServiceProcess service)
    {
        using var client = service.CreateClient(TimeSpan.FromSeconds(2));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                await client.GetAsync("/health/live");
            }
            catch (HttpRequestException)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }
}
