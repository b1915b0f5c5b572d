using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace MonitoredService.RealProcess.Tests.Shutdown;

/// <summary>
/// SIGTERM while clients keep sending, with both telemetry destinations hung: not one request sent
/// before the drain delay ended fails, and the process exits 0 within the Kubernetes grace period
/// (30 s in deploy/k8s) even though neither sink can flush.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ShutdownUnderLoadTests(ITestOutputHelper output)
{
    private static readonly TimeSpan DrainDelay = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(30);
    private const int Clients = 8;

    [Fact]
    public async Task NoRequestSentBeforeTheDrainEndedFailsAndTheProcessExitsZeroWithinTheGracePeriod()
    {
        await using var elasticsearch = new FakeElasticsearch { Hang = true };
        await using var collector = new FakeOtlpCollector { Hang = true };
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Shutdown:DrainDelay"] = DrainDelay.ToString(),
            ["Observability:Logging:Elasticsearch:Url"] = elasticsearch.Address.ToString(),
            ["Observability:Logging:Elasticsearch:Period"] = "00:00:00.200",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_TRACES_SAMPLER"] = "always_on",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            // Each API request takes 50 ms: requests are always in flight when the signal arrives.
            ["FaultInjection:LatencyMs"] = "50",
        });
        await service.WaitUntilReadyAsync();
        // One API request gives the exporter a span to be stuck on: probes are not traced.
        using (var first = new HttpClient { BaseAddress = service.BaseAddress })
            (await first.GetAsync("/api/items?limit=1")).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => Task.FromResult(elasticsearch.Requests.Count > 0 && collector.Payloads.Count > 0), "both sinks are stuck in a request");

        var sigterm = new Stopwatch();
        var results = new ConcurrentBag<(TimeSpan SentAt, bool Succeeded, string Outcome)>();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
            while (!stop.IsCancellationRequested)
            {
                var sentAt = sigterm.IsRunning ? sigterm.Elapsed : TimeSpan.MinValue;
                try
                {
                    using var response = await client.GetAsync("/api/items?limit=1");
                    results.Add((sentAt, response.IsSuccessStatusCode, ((int)response.StatusCode).ToString()));
                }
                catch (HttpRequestException ex)
                {
                    results.Add((sentAt, false, ex.HttpRequestError.ToString()));
                    await Task.Delay(20);
                }
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(1));
        sigterm.Start();
        service.Terminate();
        var exitCode = await service.WaitForExitAsync(GracePeriod);
        var exitedAfter = sigterm.Elapsed;
        stop.Cancel();
        await Task.WhenAll(load);

        var beforeDrainEnded = results.Where(r => r.SentAt < DrainDelay - TimeSpan.FromMilliseconds(100)).ToArray();
        var afterSigterm = beforeDrainEnded.Count(r => r.SentAt >= TimeSpan.Zero);
        output.WriteLine($"{results.Count} requests, {beforeDrainEnded.Length} sent before the drain ended ({afterSigterm} of them after SIGTERM); " +
            $"exit {exitCode} after {exitedAfter.TotalSeconds:0.0} s; later requests: {string.Join(", ", results.Where(r => r.SentAt >= DrainDelay).GroupBy(r => r.Outcome).Select(g => $"{g.Key} ×{g.Count()}"))}");
        afterSigterm.Should().BeGreaterThan(50, "the clients kept sending through the drain");
        beforeDrainEnded.Where(r => !r.Succeeded).Should().BeEmpty("no request sent before the drain ended may fail");
        exitCode.Should().Be(0);
        exitedAfter.Should().BeLessThan(GracePeriod, "the kubelet would SIGKILL after terminationGracePeriodSeconds");
    }
}
