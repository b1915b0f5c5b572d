using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MonitoredService.Items;
using MonitoredService.InProcess.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace MonitoredService.InProcess.Tests.Tracing;

/// <summary>
/// Spans exported over OTLP/HTTP to an in-process receiver that decodes the protobuf (the wire
/// contract Jaeger's OTLP endpoint speaks; no Jaeger runs here).
/// </summary>
[Collection(TracingCollection.Name)]
public sealed class TracingTests : IAsyncLifetime
{
    private readonly FakeOtlpCollector _collector = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _collector.DisposeAsync();

    [Fact]
    public async Task ARequestsSpanAndItsStoreSpanReachTheCollectorWithTheResource()
    {
        using var app = Traced().WithSetting("OTEL_SERVICE_NAME", "items-under-test")
            .WithSetting("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=ci,k8s.pod.name=pod-1");
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.GetAsync("/api/items/7");
        var trace = TraceResponse.Of(response);
        var server = await _collector.WaitForSpanAsync(span => span.TraceId == trace.TraceId && span.Name == "GET /api/items/{id}");
        var store = await _collector.WaitForSpanAsync(span => span.TraceId == trace.TraceId && span.Name == "store.get");

        server.SpanId.Should().Be(trace.SpanId);
        server.Attributes["http.route"].Should().Be("/api/items/{id}");
        server.Attributes["http.response.status_code"].Should().Be(404L);
        server.Attributes[ItemsTelemetry.ItemIdAttribute].Should().Be(7L);
        store.ParentSpanId.Should().Be(server.SpanId);
        store.Attributes["db.system.name"].Should().Be("sqlite");
        store.Attributes[ItemsTelemetry.ItemIdAttribute].Should().Be(7L);
        server.Resource["service.name"].Should().Be("items-under-test");
        server.Resource["service.version"].Should().Be("0.1.0");
        server.Resource["deployment.environment.name"].Should().Be("ci");
        server.Resource["k8s.pod.name"].Should().Be("pod-1");
        trace.Sampled.Should().BeTrue();
    }

    [Fact]
    public async Task TheServerSpanHasTheHttpSemanticConventionsAttributes()
    {
        using var app = Traced();
        using var client = await app.CreateReadyClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/items/7?verbose=1");
        request.Headers.UserAgent.ParseAdd("curl/8.5.0");

        using var response = await client.SendAsync(request);
        var server = await _collector.WaitForSpanAsync(span => span.TraceId == TraceResponse.Of(response).TraceId && span.Kind == 2);

        server.Name.Should().Be("GET /api/items/{id}");
        server.Attributes.Should().Contain(new Dictionary<string, object>
        {
            ["http.request.method"] = "GET",
            ["url.scheme"] = "http",
            ["url.path"] = "/api/items/7",
            ["server.address"] = "localhost",
            ["server.port"] = 80L,
            ["network.protocol.version"] = "1.1",
            ["user_agent.original"] = "curl/8.5.0",
            ["http.route"] = "/api/items/{id}",
            ["http.response.status_code"] = 404L,
        });
        server.Attributes.Keys.Should().NotContain(["url.query", "error.type"], "the query can carry secrets; a 404 is the client's error");
        server.StatusCode.Should().Be(0, "unset: a client error is not a server span's error");
    }

    [Fact]
    public async Task AServerErrorMarksTheSpanAndAnUnknownMethodIsFolded()
    {
        using var app = Traced();
        using var client = await app.CreateReadyClientAsync();
        app.Store.Mode = StoreMode.Broken;

        using var failed = await client.GetAsync("/api/items/1");
        using var unknown = await client.SendAsync(new HttpRequestMessage(new HttpMethod("PURGE"), "/api/items/1"));
        var failedSpan = await _collector.WaitForSpanAsync(span => span.TraceId == TraceResponse.Of(failed).TraceId && span.Kind == 2);
        var unknownSpan = await _collector.WaitForSpanAsync(span => span.TraceId == TraceResponse.Of(unknown).TraceId && span.Kind == 2);

        failed.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        failedSpan.StatusCode.Should().Be(2, "a 5xx is the server's error");
        failedSpan.Attributes["http.response.status_code"].Should().Be(503L);
        failedSpan.Attributes["error.type"].Should().Be(typeof(StoreUnavailableException).FullName, "the recorded exception's type stays");
        unknown.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        unknownSpan.Name.Should().Be("HTTP", "no route took the method: the span is named by the folded method alone");
        unknownSpan.Attributes.Should().NotContainKey("http.route");
        unknownSpan.Attributes["http.request.method"].Should().Be("_OTHER");
        unknownSpan.Attributes["http.request.method_original"].Should().Be("PURGE");
    }

    [Fact]
    public async Task ProbesAndScrapesAreNotTraced()
    {
        using var app = Traced();
        using var client = await app.CreateReadyClientAsync();

        await client.GetAsync("/health/ready");
        await client.GetAsync("/health/live");
        await client.GetAsync("/metrics");
        using var marker = await client.GetAsync("/api/items?limit=1");
        var trace = TraceResponse.Of(marker);
        await _collector.WaitForSpanAsync(span => span.TraceId == trace.TraceId);

        _collector.Spans.Select(span => span.Name).Should().NotContain(name => name.Contains("health") || name.Contains("metrics"));
        _collector.Spans.Should().NotContain(span => span.Name == "store.ping", "a probe's store call is not traced either, even with always_on");
    }

    [Fact]
    public async Task AFailedStoreCallIsRecordedAsAnErrorWithItsSecretsMasked()
    {
        using var app = Traced();
        using var client = await app.CreateReadyClientAsync();
        app.Store.Mode = StoreMode.Broken;

        using var response = await client.GetAsync("/api/items/3");
        var trace = TraceResponse.Of(response);
        var server = await _collector.WaitForSpanAsync(span => span.TraceId == trace.TraceId && span.Name == "GET /api/items/{id}");
        var store = await _collector.WaitForSpanAsync(span => span.TraceId == trace.TraceId && span.Name == "store.get");

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        store.StatusCode.Should().Be(2, "the status of a failed call is Error");
        var exception = store.Events.Single(e => e.Name == "exception").Attributes;
        exception["exception.type"].Should().Be(typeof(StoreUnavailableException).FullName);
        ((string)exception["exception.message"]).Should().Contain("Password=***");
        server.Events.Should().Contain(e => e.Name == "exception");
        _collector.Payloads.Should().NotContain(payload =>
            System.Text.Encoding.UTF8.GetString(payload).Contains(ControllableItemStore.CanarySecret));
    }

    [Fact]
    public async Task ClientErrorsAreNotSpanErrors()
    {
        using var app = Traced();
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.GetAsync("/api/items/abc");
        var trace = TraceResponse.Of(response);
        var server = await _collector.WaitForSpanAsync(span => span.TraceId == trace.TraceId);

        server.StatusCode.Should().NotBe(2);
        server.Events.Should().NotContain(e => e.Name == "exception");
    }

    [Fact]
    public async Task AnIncomingSampledTraceparentIsContinuedEvenWithARatioOfZero()
    {
        using var app = Traced().WithSetting("OTEL_TRACES_SAMPLER", "parentbased_traceidratio").WithSetting("OTEL_TRACES_SAMPLER_ARG", "0");
        using var client = await app.CreateReadyClientAsync();
        const string parentTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string parentSpan = "00f067aa0ba902b7";

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/items?limit=1");
        request.Headers.Add("traceparent", $"00-{parentTrace}-{parentSpan}-01");
        using var continued = await client.SendAsync(request);
        using var unsampled = await client.GetAsync("/api/items?limit=2");
        var server = await _collector.WaitForSpanAsync(span => span.TraceId == parentTrace && span.Name == "GET /api/items");

        server.ParentSpanId.Should().Be(parentSpan);
        TraceResponse.Of(continued).TraceId.Should().Be(parentTrace);
        var root = TraceResponse.Of(unsampled);
        root.Sampled.Should().BeFalse("a root trace at ratio 0 is not sampled");
        await Task.Delay(500);
        _collector.Spans.Should().NotContain(span => span.TraceId == root.TraceId);
    }

    [Theory]
    [InlineData("OTEL_TRACES_SAMPLER", "sometimes", "OTEL_TRACES_SAMPLER: 'sometimes' is not one of")]
    [InlineData("OTEL_TRACES_SAMPLER_ARG", "1.5", "OTEL_TRACES_SAMPLER_ARG: '1.5' is not a ratio between 0 and 1.")]
    public void AnInvalidSamplerSettingStopsStartNamingTheKey(string key, string value, string message)
    {
        var failure = MonitoredServiceApplication.StartFailure(() =>
            Traced().WithSetting("OTEL_TRACES_SAMPLER", "parentbased_traceidratio").WithSetting(key, value));

        failure.Should().BeOfType<OptionsValidationException>().Which.Message.Should().Contain(message);
    }

    [Fact]
    public async Task WithoutAnEndpointNothingIsExportedYetTraceContextPropagates()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/items?limit=1");
        request.Headers.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        using var response = await client.SendAsync(request);

        app.Services.GetService<TracerProvider>().Should().BeNull();
        TraceResponse.Of(response).TraceId.Should().Be("0af7651916cd43dd8448eb211c80319c");
    }

    [Fact]
    public async Task TracingCanBeSwitchedOffEvenWithAnEndpoint()
    {
        using var app = Traced().WithSetting("Observability:Tracing:Enabled", "false");
        using var client = await app.CreateReadyClientAsync();

        await client.GetAsync("/api/items?limit=1");
        await Task.Delay(500);

        app.Services.GetService<TracerProvider>().Should().BeNull();
        _collector.Payloads.Should().BeEmpty();
    }

    [Fact]
    public async Task SpansNameTheSameRouteAsTheMetricsEvenForRejectedRequests()
    {
        using var app = Traced();
        using var client = await app.CreateReadyClientAsync();

        using var list = await client.GetAsync("/api/items?limit=1");
        using var rejected = await client.GetAsync("/api/items/abc");
        var listSpan = await _collector.WaitForSpanAsync(span => span.TraceId == TraceResponse.Of(list).TraceId && span.Kind == 2);
        var rejectedSpan = await _collector.WaitForSpanAsync(span => span.TraceId == TraceResponse.Of(rejected).TraceId && span.Kind == 2);

        listSpan.Name.Should().Be("GET /api/items");
        listSpan.Attributes["http.route"].Should().Be("/api/items");
        rejectedSpan.Name.Should().Be("GET /api/items/{id}");
    }

    [Fact]
    public async Task AHungCollectorNeitherSlowsRequestsNorHoldsShutdownPastItsBudget()
    {
        _collector.Hang = true;
        var app = Traced();
        using var client = await app.CreateReadyClientAsync();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            (await client.GetAsync("/api/items?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "a generous bound: requests never wait for the exporter");
        await Task.Delay(300); // the exporter is now stuck in a request to the collector
        var shutdown = System.Diagnostics.Stopwatch.StartNew();
        app.Dispose();
        shutdown.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the tracer provider waits at most 5 s for its exporter");
    }

    [Fact]
    public async Task FailedExportsToAnUnreachableCollectorAreCounted()
    {
        using var app = new MonitoredServiceApplication()
            .WithSetting("OTEL_EXPORTER_OTLP_ENDPOINT", $"http://127.0.0.1:{ServiceProcess.FreePort()}")
            .WithSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .WithSetting("OTEL_TRACES_SAMPLER", "always_on")
            .WithSetting("OTEL_BSP_SCHEDULE_DELAY", "100");
        using var client = await app.CreateReadyClientAsync();

        for (var i = 0; i < 10; i++)
        {
            (await client.GetAsync("/api/items?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await Eventually.TrueAsync(async () =>
            (await Exposition.ScrapeAsync(client)).Value("monitoredservice_trace_exports_failed_total", ("reason", "unreachable")) > 0,
            "a failed export is counted");
    }

    [Fact]
    public async Task SpansDroppedBecauseAHungCollectorFilledTheQueueAreCounted()
    {
        _collector.Hang = true;
        using var app = Traced().WithSetting("OTEL_BSP_MAX_QUEUE_SIZE", "8").WithSetting("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4");
        using var client = await app.CreateReadyClientAsync();

        for (var i = 0; i < 60; i++)
        {
            (await client.GetAsync("/api/items?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await Eventually.TrueAsync(async () =>
            (await Exposition.ScrapeAsync(client)).Value("monitoredservice_trace_spans_dropped_total", ("reason", "queue_full")) > 0,
            "spans dropped from the full queue are counted");
    }

    [Fact]
    public async Task NothingIsCountedAsLostWhenTheCollectorTakesEverything()
    {
        using var app = Traced();
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.GetAsync("/api/items?limit=1");
        await _collector.WaitForSpanAsync(span => span.TraceId == TraceResponse.Of(response).TraceId);
        var metrics = await Exposition.ScrapeAsync(client);

        metrics.Value("monitoredservice_trace_spans_dropped_total", ("reason", "queue_full")).Should().Be(0);
        metrics.Value("monitoredservice_trace_exports_failed_total", ("reason", "unreachable")).Should().Be(0);
        metrics.Value("monitoredservice_trace_exports_failed_total", ("reason", "http_error")).Should().Be(0);
    }

    [Theory]
    [InlineData("/api/items/1")]
    [InlineData("/api/items/abc")]
    [InlineData("/no/such/route")]
    [InlineData("/health/live")]
    public async Task EveryResponseCarriesATraceresponseHeader(string path)
    {
        using var app = Traced();
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.GetAsync(path);

        TraceResponse.Of(response).TraceId.Should().NotBe(new string('0', 32));
    }

    private MonitoredServiceApplication Traced() => new MonitoredServiceApplication()
        .WithSetting("OTEL_EXPORTER_OTLP_ENDPOINT", _collector.Address.ToString())
        .WithSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
        .WithSetting("OTEL_TRACES_SAMPLER", "always_on")
        .WithSetting("OTEL_BSP_SCHEDULE_DELAY", "100");
}
