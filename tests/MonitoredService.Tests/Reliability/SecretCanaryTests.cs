using System.Text;
using MonitoredService.Tests.Infrastructure;
using MonitoredService.Tests.RealProcess;
using MonitoredService.Tests.Tracing;

namespace MonitoredService.Tests.Reliability;

/// <summary>Canaries a client or an operator hands the service, which must come out of it nowhere.</summary>
public static class Canaries
{
    public const string Bearer = "canary-bearer-3e4f5a6b";
    public const string Cookie = "canary-cookie-7c8d9e0f";
    public const string QueryToken = "canary-query-1a2b3c4d";
    public const string PathPassword = "canary-path-5e6f7a8b";
    public const string DatabasePassword = "canary-db-9c0d1e2f";
    public const string ElasticsearchApiKey = "canary-es-key-3a4b5c6d";
    public const string OtlpHeader = "canary-otlp-7e8f9a0b";

    public static readonly string[] All =
        [Bearer, Cookie, QueryToken, PathPassword, DatabasePassword, ElasticsearchApiKey, OtlpHeader, ControllableItemStore.CanarySecret];

    /// <summary>Requests that carry the client's canaries: an Authorization header, a cookie, a token in the query string, a password in the path.</summary>
    public static async Task SendAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/items?limit=1&access_token={QueryToken}&api_key={QueryToken}");
        request.Headers.Add("Authorization", $"Bearer {Bearer}");
        request.Headers.Add("Cookie", $"session={Cookie}");
        (await client.SendAsync(request)).Dispose();
        (await client.GetAsync($"/api/items/Password={PathPassword};")).Dispose();
        (await client.GetAsync("/api/items/1")).Dispose();
        using var create = new StringContent("{\"name\":\"canary item\"}", Encoding.UTF8, "application/json");
        (await client.PostAsync($"/api/items?token={QueryToken}", create)).Dispose();
    }

    /// <summary>Every probe body and /metrics (text and OpenMetrics), as one text.</summary>
    public static async Task<string> ProbesAndMetricsAsync(HttpClient client)
    {
        var text = new StringBuilder();
        foreach (var path in new[] { "/health/live", "/health/ready", "/health/startup", "/metrics" })
        {
            using var answer = await client.GetAsync(path); // 503 too: a failing probe's body counts most
            text.Append(await answer.Content.ReadAsStringAsync()).Append('\n');
        }

        using var openMetrics = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        openMetrics.Headers.Add("Accept", "application/openmetrics-text; version=1.0.0");
        using var response = await client.SendAsync(openMetrics);
        return text.Append(await response.Content.ReadAsStringAsync()).ToString();
    }
}

/// <summary>
/// In-process, at the most verbose log level, with a store whose exceptions quote a connection
/// string: no canary reaches the Elasticsearch <c>_bulk</c> bodies, the OTLP payloads, the health
/// bodies or /metrics. (Stdout is covered by the real-process twin below.)
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
        using var app = new MonitoredServiceApplication()
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
        var probesAndMetrics = await Canaries.ProbesAndMetricsAsync(client);
        await Eventually.TrueAsync(() => Task.FromResult(_elasticsearch.Requests.Any(r => r.Body.Contains("Password=***"))),
            "the store's failure is logged, masked, and shipped");
        await Eventually.TrueAsync(() => Task.FromResult(_collector.Spans.Any(s => s.StatusCode == 2)), "the failed store span is exported");

        var shipped = string.Join('\n', _elasticsearch.Requests.Select(r => r.Body));
        var spans = string.Join('\n', _collector.Payloads.Select(p => Encoding.UTF8.GetString(p)));
        shipped.Should().NotContainAny(Canaries.All);
        spans.Should().NotContainAny(Canaries.All);
        probesAndMetrics.Should().NotContainAny(Canaries.All);
        shipped.Should().Contain("Password=***", "the store's connection string was logged, masked");
        _elasticsearch.Requests.Should().OnlyContain(r => r.Authorization == $"ApiKey {Canaries.ElasticsearchApiKey}", "the key goes where it belongs, and only there");
    }
}

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
