
namespace MonitoredService.RealProcess.Tests.Metrics;

/// <summary>
/// Random input must not grow the series count. A real process, because some series are
/// process-wide (exceptions by type): in-process, other tests' hosts would add to them.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SeriesCardinalityTests
{
    [Fact]
    public async Task TwoThousandRandomPathsAndUnknownMethodsAddNoSeries()
    {
        await using var service = ServiceProcess.Start();
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();
        // Series that appear by themselves first: health after its first publish, the store's
        // count after the background count; then one of each kind of request under test.
        await client.WaitForMetricAsync("monitoredservice_health_probe_status");
        await client.WaitForMetricAsync("monitoredservice_store_operation_duration_seconds_count", ("operation", "count"));
        await client.GetAsync("/warm-up-unknown-path");
        await client.GetAsync("/api/warm-up?q=1");
        await client.SendAsync(new HttpRequestMessage(new HttpMethod("WARMUP"), "/api/items"));
        await client.SendAsync(new HttpRequestMessage(new HttpMethod("WARMUP"), "/nowhere"));
        var before = (await Exposition.ScrapeAsync(client)).Series.Select(NameAndLabels).ToHashSet();

        var random = new Random(20261122);
        for (var i = 0; i < 2000; i++)
        {
            var path = string.Join('/', Enumerable.Range(0, random.Next(1, 5)).Select(_ => Guid.NewGuid().ToString("N")[..random.Next(1, 32)]));
            await client.GetAsync(i % 2 == 0 ? $"/{path}" : $"/api/{path}?q={i}");
            if (i % 20 == 0)
            {
                await client.SendAsync(new HttpRequestMessage(new HttpMethod($"M{i}X"), i % 40 == 0 ? "/api/items" : $"/{path}"));
            }
        }

        var after = await Exposition.ScrapeAsync(client);
        after.Series.Select(NameAndLabels).Except(before).Should().BeEmpty();
        after.Series.Count.Should().Be(before.Count);
        after.Value("http_requests_received_total", ("code", "404"), ("method", "GET"), ("endpoint", "")).Should().Be(2002);
        after.Value("http_requests_received_total", ("code", "405"), ("method", "_OTHER"), ("endpoint", "")).Should().Be(51);
    }

    private static string NameAndLabels(string series) => series[..series.LastIndexOf(' ')];
}
