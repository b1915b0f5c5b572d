using System.Diagnostics;
using System.Net;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Tracing;

/// <summary>
/// Logs and metrics over OTLP/HTTP, opt-in with the standard variables, decoded from an in-process
/// receiver (the wire contract of an OpenTelemetry Collector or the Aspire dashboard; neither runs
/// here); and what a dead or hung collector does: nothing to a request, every loss counted.
/// In the traces' collection: the OTLP exporter's events are process-wide.
/// </summary>
[Collection(TracingCollection.Name)]
public sealed class OtlpLogsAndMetricsTests : IAsyncLifetime
{
    private readonly FakeOtlpCollector _collector = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _collector.DisposeAsync();

    [Fact]
    public async Task ARequestsCompletionEventArrivesAsALogRecordWithTheEcsFieldsTheTraceIdAndTheResource()
    {
        using var app = new MonitoredServiceApplication()
            .WithSetting("OTEL_LOGS_EXPORTER", "otlp")
            .WithSetting("OTEL_EXPORTER_OTLP_ENDPOINT", _collector.Address.ToString()) // no protocol: http/protobuf, the specification's default
            .WithSetting("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=pod-3")
            .WithSetting("Observability:Logging:Otlp:Period", "00:00:00.050");
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.GetAsync("/api/items/7");
        var trace = TraceResponse.Of(response);
        var record = await _collector.WaitForLogRecordAsync(r => r.TraceId == trace.TraceId && r.Attributes.ContainsKey("http.route"));
        var metrics = await Exposition.ScrapeAsync(client);

        record.Scope.Should().Be("MonitoredService.Observability.Logging.RequestLoggingMiddleware", "the source context (the ECS line's log.logger)");
        record.SpanId.Should().Be(trace.SpanId);
        record.SeverityText.Should().Be("Information");
        record.SeverityNumber.Should().Be(9, "INFO in the OTLP severity numbers");
        record.Body.Should().MatchRegex(@"^HTTP GET /api/items/7 responded 404 in [0-9.]+ ms \(route /api/items/\{id\}\)$", "the rendered message, as the ECS line's");
        record.Attributes["message_template.text"].Should().Be("HTTP {HttpRequestMethod} {UrlPath} responded {HttpResponseStatusCode} in {ElapsedMilliseconds:F3} ms (route {HttpRoute})");
        record.Attributes["http.route"].Should().Be("/api/items/{id}");
        record.Attributes["http.request.method"].Should().Be("GET");
        record.Attributes["url.path"].Should().Be("/api/items/7");
        record.Attributes["http.response.status_code"].Should().Be(404L);
        record.Attributes["event.duration"].Should().BeOfType<long>().Which.Should().BePositive("nanoseconds, as in the ECS line");
        record.Resource["service.name"].Should().Be("monitoredservice");
        record.Resource["service.version"].Should().Be("0.1.0");
        record.Resource["service.instance.id"].Should().Be("pod-3");
        record.Resource["deployment.environment.name"].Should().Be("production");
        metrics.Value("monitoredservice_log_events_shipped_total", ("sink", "otlp")).Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task MetricsArriveForTheHttpServerTheDomainAndTheRuntimeWhileMetricsKeepTheirNames()
    {
        using var app = new MonitoredServiceApplication()
            .WithSetting("OTEL_METRICS_EXPORTER", "otlp")
            .WithSetting("OTEL_EXPORTER_OTLP_ENDPOINT", _collector.Address.ToString())
            .WithSetting("OTEL_METRIC_EXPORT_INTERVAL", "200");
        using var client = await app.CreateReadyClientAsync();

        await client.GetAsync("/api/items/7");
        var http = await _collector.WaitForMetricAsync(m => m.Name == "http.server.request.duration"
            && m.Points.Any(p => Equals(p.Attributes.GetValueOrDefault("http.route"), "/api/items/{id}")));
        var domain = await _collector.WaitForMetricAsync(m => m.Name == "monitoredservice.items.operations" && m.Points.Count > 0);
        var store = await _collector.WaitForMetricAsync(m => m.Name == "monitoredservice.store.operation.duration" && m.Points.Count > 0);
        var runtime = await _collector.WaitForMetricAsync(m => m.Scope == "System.Runtime" && m.Name == "dotnet.gc.heap.total_allocated");
        var exposition = await Exposition.ScrapeAsync(client);

        http.Kind.Should().Be("histogram");
        http.Unit.Should().Be("s");
        var point = http.Points.Single(p => Equals(p.Attributes.GetValueOrDefault("http.route"), "/api/items/{id}"));
        point.Count.Should().Be(1);
        point.Attributes["http.response.status_code"].Should().Be(404L);
        http.Resource["service.name"].Should().Be("monitoredservice");
        domain.Kind.Should().Be("sum");
        domain.Points.Should().Contain(p => Equals(p.Attributes["operation"], "get") && Equals(p.Attributes["outcome"], "not_found") && p.Value == 1);
        store.Kind.Should().Be("histogram");
        runtime.Kind.Should().Be("sum");
        exposition.Value("http_requests_received_total", ("code", "404"), ("endpoint", "/api/items/{id}")).Should().Be(1, "/metrics keeps its names");
        exposition.Value("monitoredservice_items_operations_total", ("operation", "get"), ("outcome", "not_found")).Should().Be(1);
        _collector.Metrics.Select(m => m.Name).Should().NotContain(name => name.StartsWith("http_requests", StringComparison.Ordinal), "prometheus-net's objects are not bridged");
    }

    [Fact]
    public async Task AHungCollectorNeverSlowsARequestAndEveryLostLogRecordIsCounted()
    {
        _collector.Hang = true;
        using var app = new MonitoredServiceApplication()
            .WithSetting("OTEL_LOGS_EXPORTER", "otlp")
            .WithSetting("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", new Uri(_collector.Address, "/v1/logs").ToString())
            .WithSetting("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "500")
            .WithSetting("Observability:Logging:Otlp:QueueLimit", "20")
            .WithSetting("Observability:Logging:Otlp:BatchSize", "10")
            .WithSetting("Observability:Logging:Otlp:Period", "00:00:00.050");
        using var client = await app.CreateReadyClientAsync();

        var elapsed = Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            (await client.GetAsync("/api/items?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        elapsed.Stop();
        await Eventually.TrueAsync(async () =>
        {
            var metrics = await Exposition.ScrapeAsync(client);
            return metrics.Value("monitoredservice_log_events_dropped_total", ("sink", "otlp"), ("reason", "export_failed")) > 0;
        }, "an export that timed out counts its records");
        var exposition = await Exposition.ScrapeAsync(client);

        elapsed.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "a generous bound that only catches requests waiting for the collector");
        exposition.Value("monitoredservice_log_events_dropped_total", ("sink", "otlp"), ("reason", "queue_full"))
            .Should().BeGreaterThan(0, "beyond the queue of 20, events are dropped and counted");
        _collector.LogPayloads.Should().NotBeEmpty("the collector was reached, and never answered");
    }

    [Fact]
    public async Task AnUnreachableCollectorCountsFailedLogAndMetricExports()
    {
        var closed = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        using var app = new MonitoredServiceApplication()
            .WithSetting("OTEL_LOGS_EXPORTER", "otlp")
            .WithSetting("OTEL_METRICS_EXPORTER", "otlp")
            .WithSetting("OTEL_EXPORTER_OTLP_ENDPOINT", closed)
            .WithSetting("OTEL_METRIC_EXPORT_INTERVAL", "200")
            .WithSetting("Observability:Logging:Otlp:Period", "00:00:00.050");
        using var client = await app.CreateReadyClientAsync();

        (await client.GetAsync("/api/items?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);
        await Eventually.TrueAsync(async () =>
        {
            var metrics = await Exposition.ScrapeAsync(client);
            return metrics.Value("monitoredservice_log_events_dropped_total", ("sink", "otlp"), ("reason", "export_failed")) > 0
                && metrics.Text.Contains("monitoredservice_metric_exports_failed_total{reason=\"unreachable\"} ", StringComparison.Ordinal)
                && metrics.Value("monitoredservice_metric_exports_failed_total", ("reason", "unreachable")) > 0;
        }, "failed log and metric exports are counted");
        var exposition = await Exposition.ScrapeAsync(client);

        exposition.Value("monitoredservice_trace_exports_failed_total", ("reason", "unreachable"))
            .Should().Be(0, "no trace is exported here: a failed metric export is not counted as a trace export");
    }

    [Theory]
    [InlineData("OTEL_LOGS_EXPORTER", "console", "OTEL_LOGS_EXPORTER")]
    [InlineData("OTEL_METRICS_EXPORTER", "statsd", "OTEL_METRICS_EXPORTER")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_PROTOCOL")]
    public void AnExporterOrProtocolTheServiceCannotHonourStopsTheStartNamingTheKey(string key, string value, string named)
    {
        var failure = MonitoredServiceApplication.StartFailure(() => new MonitoredServiceApplication()
            .WithSetting("OTEL_LOGS_EXPORTER", key == "OTEL_LOGS_EXPORTER" ? value : "otlp")
            .WithSetting(key, value));

        failure.ToString().Should().Contain(named);
    }
}
