using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using MonitoredService.InProcess.Tests.Infrastructure;
using MonitoredService.InProcess.Tests.Tracing;
using Xunit.Abstractions;

namespace MonitoredService.InProcess.Tests.Items;

/// <summary>
/// The service on a PostgreSQL server of its own, which the tests stop, start, freeze and thaw, with
/// every signal (logs to an Elasticsearch fake, traces to an OTLP fake, /metrics, health bodies)
/// watched for the server's password. In the tracing collection: the tests read exported spans.
/// </summary>
[Collection(TracingCollection.Name)]
public sealed class PostgresOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Password = "pg-password-canary-5c1d";

    /// <summary>Readiness caches a result for 2 s and waits at most 2 s for a check: a failed store shows within 4 s (plus slack).</summary>
    private static readonly TimeSpan ReadinessBound = TimeSpan.FromSeconds(8);

    private readonly FakeOtlpCollector _collector = new();
    private readonly FakeElasticsearch _elasticsearch = new();
    private PostgresServer _postgres = null!;
    private MonitoredServiceApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartNewAsync(Password);
        _app = new MonitoredServiceApplication()
            .WithPostgres(await _postgres.CreateDatabaseAsync("items"))
            .WithSetting("OTEL_EXPORTER_OTLP_ENDPOINT", _collector.Address.ToString())
            .WithSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .WithSetting("OTEL_TRACES_SAMPLER", "always_on")
            .WithSetting("OTEL_BSP_SCHEDULE_DELAY", "100")
            .WithSetting("Observability:Logging:Elasticsearch:Url", _elasticsearch.Address.ToString())
            .WithSetting("Observability:Logging:Elasticsearch:Period", "00:00:00.050");
        _client = await _app.CreateReadyClientAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _app.Dispose();
        await _postgres.DisposeAsync();
        await _collector.DisposeAsync();
        await _elasticsearch.DisposeAsync();
    }

    [Fact]
    public async Task AStoppedServerTurnsReadinessAndTheApiTo503AndBothRecoverWhenItReturns()
    {
        (await _client.PostAsJsonAsync("/api/items", new { name = "before the outage" })).StatusCode.Should().Be(HttpStatusCode.Created);

        await _postgres.StopAsync();

        var outage = Stopwatch.StartNew();
        await _client.WaitForStatusAsync("/health/ready", HttpStatusCode.ServiceUnavailable);
        var unready = outage.Elapsed;
        unready.Should().BeLessThan(ReadinessBound);
        using var ready = await _client.GetAsync("/health/ready");
        (await ready.ReadHealthAsync()).EntryStatus("store").Should().Be("Unhealthy");
        var api = Stopwatch.StartNew();
        using var get = await _client.GetAsync("/api/items/1");
        var failed = api.Elapsed;
        failed.Should().BeLessThan(TimeSpan.FromSeconds(3), "a refused connection fails at once (a generous bound)");
        (await get.ShouldBeProblemAsync(503)).GetProperty("detail").GetString().Should().NotContain(Password);
        get.Headers.RetryAfter.Should().NotBeNull();
        (await _client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK, "the process is fine: restarting it would not bring the database back");

        output.WriteLine($"stopped: readiness 503 after {unready.TotalMilliseconds:0} ms, API 503 in {failed.TotalMilliseconds:0} ms");
        await _postgres.StartAsync();

        var recovery = Stopwatch.StartNew();
        await _client.WaitForStatusAsync("/health/ready", HttpStatusCode.OK);
        output.WriteLine($"started again: readiness 200 after {recovery.ElapsedMilliseconds} ms");
        using var list = await _client.GetAsync("/api/items");
        list.StatusCode.Should().Be(HttpStatusCode.OK);
        (await list.Content.ReadAsStringAsync()).Should().Contain("before the outage");
        await NoSignalHoldsThePasswordAsync(ready);
    }

    [Fact]
    public async Task AHungServerNeverHangsAProbeAndTheApiGivesUpAfterItsCommandTimeout()
    {
        _postgres.Freeze();
        try
        {
            var probe = Stopwatch.StartNew();
            await _client.WaitForStatusAsync("/health/ready", HttpStatusCode.ServiceUnavailable);
            var unready = probe.Elapsed;
            unready.Should().BeLessThan(ReadinessBound);
            await Task.Delay(TimeSpan.FromSeconds(2.5)); // the cached result is stale: the next probe queries the hung server
            var single = Stopwatch.StartNew();
            using var ready = await _client.GetAsync("/health/ready");
            var answered = single.Elapsed;
            answered.Should().BeLessThan(TimeSpan.FromSeconds(4), "a probe waits for a check at most its 2 s timeout");
            (await ready.ReadHealthAsync()).EntryDescription("store").Should().Be("No answer within 2000 ms.");
            (await _client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);

            var api = Stopwatch.StartNew();
            using var get = await _client.GetAsync("/api/items/1");
            await get.ShouldBeProblemAsync(503);
            var failed = api.Elapsed;
            failed.Should().BeLessThan(TimeSpan.FromSeconds(15), "Store:CommandTimeout and Store:ConnectTimeout (5 s) bound a request");
            output.WriteLine($"frozen: readiness 503 after {unready.TotalMilliseconds:0} ms, a probe answers in {answered.TotalMilliseconds:0} ms, API 503 in {failed.TotalMilliseconds:0} ms");
        }
        finally
        {
            _postgres.Thaw();
        }

        await _client.WaitForStatusAsync("/health/ready", HttpStatusCode.OK);
        (await _client.GetAsync("/api/items")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task NpgsqlCommandsAreChildSpansOfTheStoreSpanAndThePoolIsMeasured()
    {
        using var response = await _client.PostAsJsonAsync("/api/items", new { name = "traced" });
        var trace = TraceResponse.Of(response);
        var store = await _collector.WaitForSpanAsync(span => span.TraceId == trace.TraceId && span.Name == "store.create");
        var command = await _collector.WaitForSpanAsync(span => span.TraceId == trace.TraceId && span.ParentSpanId == store.SpanId);

        store.Attributes["db.system.name"].Should().Be("postgresql");
        command.Kind.Should().Be(3, "a database command is a client span");
        command.Attributes.Should().ContainKey("db.query.text").WhoseValue.Should().Be("INSERT INTO items (name, created_at) VALUES ($1, $2) RETURNING id;");

        var metrics = await Exposition.ScrapeAsync(_client);
        metrics.Value("db_client_connections_max", ("pool", "items")).Should().Be(100, "Npgsql's default Maximum Pool Size");
        metrics.Value("db_client_connections", ("pool", "items"), ("state", "idle")).Should().BeGreaterThanOrEqualTo(1);
        metrics.Value("db_client_connections", ("pool", "items"), ("state", "used")).Should().NotBeNull();
        metrics.Families.Should().Contain(["db_client_connection_pending_requests", "db_client_connection_timeouts_total"],
            "declared from the start; Npgsql records their first sample when a request first waits or times out");
        metrics.Value("db_client_operation_duration_seconds_count", ("pool", "items")).Should().BeGreaterThanOrEqualTo(1);
        await NoSignalHoldsThePasswordAsync(response);
    }

    private async Task NoSignalHoldsThePasswordAsync(HttpResponseMessage health)
    {
        await Eventually.TrueAsync(() => Task.FromResult(_elasticsearch.AcceptedDocuments.Any()), "logs should be shipped");
        (await health.Content.ReadAsStringAsync()).Should().NotContain(Password);
        (await Exposition.ScrapeAsync(_client)).Text.Should().NotContain(Password);
        _elasticsearch.Requests.Should().NotContain(request => request.Body.Contains(Password));
        _collector.Payloads.Should().NotBeEmpty().And.NotContain(payload => Encoding.UTF8.GetString(payload).Contains(Password));
    }
}
