using System.Diagnostics;
using Xunit.Abstractions;

namespace MonitoredService.RealProcess.Tests.Sinks;

public enum SinkFault
{
    /// <summary>Nothing listens on the port: connections are refused.</summary>
    Refused,

    /// <summary>Connections are accepted and requests never answered.</summary>
    Hung,

    /// <summary>Every request is answered successfully, one second late.</summary>
    Slow,

    /// <summary>Every request is answered 429 Too Many Requests.</summary>
    TooManyRequests,
}

/// <summary>
/// A log or trace destination that fails, for real on loopback: the service's own requests do not
/// notice (latency compared with a baseline process without sinks, in the same test, interleaved),
/// memory stays bounded, what cannot be delivered is counted, stdout logging goes on, and shutdown
/// keeps to its budget. Real processes: stdout and shutdown are only visible there.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SinkFaultTests(ITestOutputHelper output)
{
    private const int Rounds = 3;
    private const int RequestsPerRound = 150;

    public static TheoryData<string, SinkFault> Cases()
    {
        var cases = new TheoryData<string, SinkFault>();
        foreach (var sink in new[] { "elasticsearch", "otlp" })
        {
            foreach (var fault in Enum.GetValues<SinkFault>())
            {
                cases.Add(sink, fault);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AFailingSinkCostsRequestsNothingLosesNothingSilentlyAndDoesNotHoldShutdown(string sink, SinkFault fault)
    {
        await using var elasticsearch = new FakeElasticsearch();
        await using var collector = new FakeOtlpCollector();
        var destination = Configure(sink, fault, elasticsearch, collector);
        await using var baseline = ServiceProcess.Start(new Dictionary<string, string> { ["Observability:Shutdown:DrainDelay"] = "00:00:00" });
        await using var faulted = ServiceProcess.Start(Settings(sink, destination));
        await Task.WhenAll(baseline.WaitUntilReadyAsync(), faulted.WaitUntilReadyAsync());
        using var baselineClient = new HttpClient { BaseAddress = baseline.BaseAddress };
        using var faultedClient = new HttpClient { BaseAddress = faulted.BaseAddress };
        await new Latency().MeasureAsync(baselineClient, "/api/items/1", 100); // warm-up (JIT, pools)
        await new Latency().MeasureAsync(faultedClient, "/api/items/1", 100);

        var baselineLatency = new Latency();
        var faultedLatency = new Latency();
        var statuses = new List<int>();
        for (var round = 0; round < Rounds; round++)
        {
            await baselineLatency.MeasureAsync(baselineClient, "/api/items/1", RequestsPerRound);
            statuses.AddRange(await faultedLatency.MeasureAsync(faultedClient, "/api/items/1", RequestsPerRound));
        }

        var undelivered = await UndeliveredAsync(sink, fault, faultedClient, elasticsearch, collector);
        var metrics = await Exposition.ScrapeAsync(faultedClient);
        var resident = faulted.ResidentBytes;
        var shutdown = Stopwatch.StartNew();
        faulted.Terminate();
        var exitCode = await faulted.WaitForExitAsync(TimeSpan.FromSeconds(60));
        shutdown.Stop();
        output.WriteLine($"{sink} {fault}: baseline {baselineLatency}; faulted {faultedLatency}; {undelivered}; " +
            $"RSS {resident / 1048576} MiB; shutdown {shutdown.Elapsed.TotalSeconds:0.0} s");

        statuses.Should().OnlyContain(status => status == 404, "item 1 does not exist: every request answered, none failed");
        faultedLatency.P50.Should().BeLessThan(baselineLatency.P50 * 2 + 2, "a failing sink does not slow requests (a generous bound)");
        faultedLatency.P99.Should().BeLessThan(baselineLatency.P99 * 3 + 25, "a failing sink does not slow requests (a generous bound)");
        resident.Should().BeLessThan(300L * 1024 * 1024, "queues are bounded");
        if (sink == "elasticsearch")
        {
            metrics.Value("monitoredservice_log_queue_length", ("sink", "elasticsearch")).Should().BeLessThanOrEqualTo(QueueLimit);
        }

        metrics.Value("monitoredservice_log_events_dropped_total", ("sink", "console"), ("reason", "queue_full")).Should().Be(0, "stdout keeps up");
        exitCode.Should().Be(0);
        shutdown.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(25), "drain 0 s + in-flight ≤ 15 s + flush budgets (5 s): nothing waits on the dead sink longer");
        CompletionEvents(faulted.Stdout).Should().BeGreaterThanOrEqualTo(Rounds * RequestsPerRound, "stdout logging is unaffected: one completion event per request");
    }

    private const int QueueLimit = 500;

    private static Uri Configure(string sink, SinkFault fault, FakeElasticsearch elasticsearch, FakeOtlpCollector collector)
    {
        var fake = sink == "elasticsearch" ? elasticsearch.Address : collector.Address;
        switch (fault)
        {
            case SinkFault.Refused:
                return new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}");
            case SinkFault.Hung:
                elasticsearch.Hang = true;
                collector.Hang = true;
                break;
            case SinkFault.Slow:
                elasticsearch.Delay = TimeSpan.FromSeconds(1);
                collector.Delay = TimeSpan.FromSeconds(1);
                break;
            case SinkFault.TooManyRequests:
                elasticsearch.RequestStatus = () => 429;
                collector.Status = 429;
                break;
        }

        return fake;
    }

    private static Dictionary<string, string> Settings(string sink, Uri destination) => sink == "elasticsearch"
        ? new()
        {
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
            ["Observability:Logging:Elasticsearch:Url"] = destination.ToString(),
            ["Observability:Logging:Elasticsearch:QueueLimit"] = QueueLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Observability:Logging:Elasticsearch:Period"] = "00:00:00.200",
            ["Observability:Logging:Elasticsearch:RequestTimeout"] = "00:00:02",
            ["Observability:Logging:Elasticsearch:MaxAttempts"] = "2",
            ["Observability:Logging:Elasticsearch:FirstRetryDelay"] = "00:00:00.100",
        }
        : new()
        {
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = destination.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "2000",
            ["OTEL_TRACES_SAMPLER"] = "always_on",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BSP_MAX_QUEUE_SIZE"] = "256",
        };

    /// <summary>Waits until what could not be delivered is counted (or, for a slow sink, delivered); describes it.</summary>
    private static async Task<string> UndeliveredAsync(string sink, SinkFault fault, HttpClient client, FakeElasticsearch elasticsearch, FakeOtlpCollector collector)
    {
        if (fault == SinkFault.Slow)
        {
            await Eventually.TrueAsync(() => Task.FromResult(sink == "elasticsearch" ? elasticsearch.AcceptedDocuments.Any() : collector.Payloads.Count > 0),
                "a slow destination still receives");
            return "delivered late";
        }

        var (family, labels) = sink == "elasticsearch"
            ? ("monitoredservice_log_events_dropped_total", new[] { ("sink", "elasticsearch") })
            : (fault == SinkFault.Hung ? "monitoredservice_trace_spans_dropped_total" : "monitoredservice_trace_exports_failed_total", Array.Empty<(string, string)>());
        double counted = 0;
        await Eventually.TrueAsync(async () =>
        {
            var metrics = await Exposition.ScrapeAsync(client);
            counted = metrics.Series.Where(series => series.StartsWith(family + "{", StringComparison.Ordinal)
                    && labels.All(label => series.Contains($"{label.Item1}=\"{label.Item2}\"", StringComparison.Ordinal)))
                .Sum(series => double.Parse(series[(series.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            return counted > 0;
        }, $"{family} should count what {sink} ({fault}) did not take");
        return $"{family} {counted}";
    }

    private static int CompletionEvents(string stdout) =>
        stdout.Split('\n').Count(line => line.Contains("\"url.path\":\"/api/items/1\"", StringComparison.Ordinal) && line.Contains("\"http.route\"", StringComparison.Ordinal));
}
