using System.Text;
using MonitoredService.InProcess.Tests.Infrastructure;
using MonitoredService.InProcess.Tests.Tracing;

namespace MonitoredService.InProcess.Tests.Redaction;

/// <summary>
/// In-process, at the most verbose log level, with a store whose exceptions quote a connection
/// string: no canary reaches the Elasticsearch <c>_bulk</c> bodies, the OTLP payloads (spans and log
/// records), the health bodies, /metrics, or the management listener's /info and /loggers. (Stdout
/// is covered by the real-process twin.)
/// </summary>
[Collection(TracingCollection.Name)]
public sealed class SecretCanaryTests : IAsyncLifetime
{
    private readonly FakeElasticsearch _elasticsearch = new();
    private readonly FakeOtlpCollector _collector = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _elasticsearch.DisposeAsync();
        await _collector.DisposeAsync();
    }

    [Fact]
    public async Task NoCanaryReachesShippedLogsSpansProbesOrMetricsEvenWhenTheStoreFailsWithItsConnectionString()
    {
        var managementPort = ServiceProcess.FreePort();
        using var app = new MonitoredServiceApplication()
            .WithSetting("Observability:Metrics:Port", managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithSetting("Observability:Metrics:Host", "127.0.0.1")
            .WithSetting("OTEL_LOGS_EXPORTER", "otlp")
            .WithSetting("Observability:Logging:Otlp:Period", "00:00:00.050")
            .WithSetting("Serilog:MinimumLevel:Default", "Verbose")
            .WithSetting("Serilog:MinimumLevel:Override:Microsoft.AspNetCore", "Verbose")
            .WithSetting("Serilog:MinimumLevel:Override:Microsoft.Extensions.Diagnostics.HealthChecks", "Verbose")
            .WithSetting("Observability:Logging:Elasticsearch:Url", _elasticsearch.Address.ToString())
            .WithSetting("Observability:Logging:Elasticsearch:ApiKey", Canaries.ElasticsearchApiKey)
            .WithSetting("Observability:Logging:Elasticsearch:Period", "00:00:00.050")
            .WithSetting("OTEL_EXPORTER_OTLP_ENDPOINT", _collector.Address.ToString())
            .WithSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .WithSetting("OTEL_EXPORTER_OTLP_HEADERS", $"x-api-key={Canaries.OtlpHeader}")
            .WithSetting("OTEL_TRACES_SAMPLER", "always_on")
            .WithSetting("OTEL_BSP_SCHEDULE_DELAY", "50");
        using var client = await app.CreateReadyClientAsync();

        await Canaries.SendAsync(client);
        app.Store.Mode = StoreMode.Broken; // exceptions quote "Password=<canary>"
        await Canaries.SendAsync(client);
        await client.WaitForStatusAsync("/health/ready", System.Net.HttpStatusCode.ServiceUnavailable);
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };
        var probesAndMetrics = await Canaries.ProbesAndMetricsAsync(client) // the probes (/metrics is the management port's here)
            + await management.GetStringAsync("/metrics") + await management.GetStringAsync("/info") + await management.GetStringAsync("/loggers");
        await Eventually.TrueAsync(() => Task.FromResult(_elasticsearch.Requests.Any(r => r.Body.Contains("Password=***"))),
            "the store's failure is logged, masked, and shipped");
        await Eventually.TrueAsync(() => Task.FromResult(_collector.Spans.Any(s => s.StatusCode == 2)), "the failed store span is exported");
        await Eventually.TrueAsync(() => Task.FromResult(_collector.LogRecords.Any(r => r.Body.Contains("Password=***") || r.Attributes.Values.OfType<string>().Any(v => v.Contains("Password=***")))),
            "the store's failure is exported over OTLP, masked");

        var shipped = string.Join('\n', _elasticsearch.Requests.Select(r => r.Body));
        var spans = string.Join('\n', _collector.Payloads.Concat(_collector.LogPayloads).Select(p => Encoding.UTF8.GetString(p)));
        shipped.Should().NotContainAny(Canaries.All);
        spans.Should().NotContainAny(Canaries.All);
        probesAndMetrics.Should().NotContainAny(Canaries.All);
        shipped.Should().Contain("Password=***", "the store's connection string was logged, masked");
        _elasticsearch.Requests.Should().OnlyContain(r => r.Authorization == $"ApiKey {Canaries.ElasticsearchApiKey}", "the key goes where it belongs, and only there");
    }
}
