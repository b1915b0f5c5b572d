using System.Text;

namespace MonitoredService.RealProcess.Tests.Redaction;

/// <summary>
/// The real process at the most verbose log level, on PostgreSQL with a canary password whose server
/// goes away mid-run: no canary on stdout or stderr, in the shipped logs, the spans, the probes or /metrics.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SecretCanaryProcessTests
{
    [Fact]
    public async Task NoCanaryLeavesTheProcessThroughAnyOutput()
    {
        await using var postgres = await PostgresServer.StartNewAsync(Canaries.DatabasePassword);
        await using var elasticsearch = new FakeElasticsearch();
        await using var collector = new FakeOtlpCollector();
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
            ["Serilog:MinimumLevel:Default"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.Extensions.Diagnostics.HealthChecks"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Npgsql"] = "Verbose",
            ["Store:Provider"] = "PostgreSql",
            ["ConnectionStrings:Items"] = await postgres.CreateDatabaseAsync("items"),
            ["Observability:Logging:Elasticsearch:Url"] = elasticsearch.Address.ToString(),
            ["Observability:Logging:Elasticsearch:ApiKey"] = Canaries.ElasticsearchApiKey,
            ["Observability:Logging:Elasticsearch:Period"] = "00:00:00.100",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-api-key={Canaries.OtlpHeader}",
            ["OTEL_TRACES_SAMPLER"] = "always_on",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();

        await Canaries.SendAsync(client);
        await postgres.StopAsync(); // store failures from here on
        await Canaries.SendAsync(client);
        await client.WaitForStatusAsync("/health/ready", System.Net.HttpStatusCode.ServiceUnavailable);
        var probesAndMetrics = await Canaries.ProbesAndMetricsAsync(client);
        await Eventually.TrueAsync(() => Task.FromResult(collector.Payloads.Count > 0 && elasticsearch.Requests.Count > 0), "logs and spans are shipped");
        service.Terminate();
        (await service.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0);

        service.Stdout.Split('\n').Length.Should().BeGreaterThan(100, "verbose logging wrote a lot");
        service.Stdout.Should().Contain("57P01", "the store's failure is on stdout, by its SQLSTATE");
        service.Stdout.Should().NotContainAny(Canaries.All);
        service.Stderr.Should().NotContainAny(Canaries.All);
        string.Join('\n', elasticsearch.Requests.Select(r => r.Body)).Should().NotContainAny(Canaries.All);
        string.Join('\n', collector.Payloads.Select(p => Encoding.UTF8.GetString(p))).Should().NotContainAny(Canaries.All);
        probesAndMetrics.Should().NotContainAny(Canaries.All);
    }
}
