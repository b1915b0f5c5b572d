using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Logging;

/// <summary>
/// Direct shipping to Elasticsearch's <c>_bulk</c> API, against an in-process endpoint that speaks
/// its request/response contract, partial failures included (no Elasticsearch runs here).
/// </summary>
public sealed class ElasticsearchShippingTests : IAsyncLifetime
{
    private const string ApiKey = "es-api-key-canary-1f2e3d";
    private readonly FakeElasticsearch _elasticsearch = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _elasticsearch.DisposeAsync();

    [Fact]
    public async Task EventsAreShippedAsEcsDocumentsWithCreateActionsIntoTheDataStream()
    {
        using var app = Shipping().WithSetting("Observability:Logging:Elasticsearch:DataStream", "logs-items-test");
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.GetAsync("/api/items/12");
        var trace = TraceResponse.Of(response);
        var completion = await WaitForDocumentAsync(document => Text(document, "trace.id") == trace.TraceId && Text(document, "http.route") is not null);

        var request = _elasticsearch.Requests.First();
        request.Index.Should().Be("logs-items-test");
        request.ContentType.Should().StartWith("application/x-ndjson");
        request.Actions.Should().OnlyContain(action => action == """{"create":{}}""");
        request.Authorization.Should().Be($"ApiKey {ApiKey}");
        Text(completion, "http.route").Should().Be("/api/items/{id}");
        Text(completion, "span.id").Should().Be(trace.SpanId);
        completion.GetProperty("http.response.status_code").GetInt32().Should().Be(404);
        Text(completion, "service.name").Should().Be("monitoredservice");
        Text(completion, "log.level").Should().Be("info");
        _elasticsearch.AcceptedDocuments.Select(document => Text(document, "@timestamp")).Should().NotContainNulls();
        (await ShippedAsync(client)).Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task ALogWrittenInsideARequestCarriesThatRequestsTraceId()
    {
        using var app = Shipping();
        using var client = await app.CreateReadyClientAsync();
        app.Store.Mode = StoreMode.Broken;

        using var response = await client.GetAsync("/api/items/5");
        var trace = TraceResponse.Of(response);
        var error = await WaitForDocumentAsync(document => Text(document, "message") == "The item store is unavailable");

        Text(error, "trace.id").Should().Be(trace.TraceId);
        Text(error, "log.level").Should().Be("error");
        Text(error, "error.type").Should().Be(typeof(MonitoredService.Items.StoreUnavailableException).FullName);
        _elasticsearch.Requests.Should().NotContain(request => request.Body.Contains(ControllableItemStore.CanarySecret));
    }

    [Fact]
    public async Task TheCompletionEventLeavesOutTheLogContextThatOtherEventsOfTheRequestCarry()
    {
        using var app = Shipping();
        using var client = await app.CreateReadyClientAsync();
        app.Store.Mode = StoreMode.Broken;

        using var response = await client.GetAsync("/api/items/6");
        var trace = TraceResponse.Of(response);
        var error = await WaitForDocumentAsync(document => Text(document, "trace.id") == trace.TraceId && Text(document, "message") == "The item store is unavailable");
        var completion = await WaitForDocumentAsync(document => Text(document, "trace.id") == trace.TraceId && Text(document, "http.route") is not null);

        Text(error, "RequestPath").Should().Be("/api/items/6", "an event written inside the request is enriched from the log context");
        completion.TryGetProperty("RequestId", out _).Should().BeFalse("the completion line says it all already");
        completion.TryGetProperty("RequestPath", out _).Should().BeFalse();
        completion.TryGetProperty("ConnectionId", out _).Should().BeFalse();
        Text(completion, "url.path").Should().Be("/api/items/6");
    }

    [Fact]
    public async Task OnlyItemsRefusedWith429Or5xxAreRetriedAndTheOthersAreCountedAsRejected()
    {
        // The first three items: accepted, too many requests (retried), mapping error (dropped).
        _elasticsearch.ItemStatus = n => n switch { 1 => 429, 2 => 400, _ => 201 };
        using var app = Shipping().WithSetting("Observability:Logging:Elasticsearch:BatchSize", "3");
        using var client = await app.CreateReadyClientAsync();

        // Items 1 and 2 need not share a request: a batch closes after its period, full or not.
        var retrying = await WaitForRequestAsync(request => request.Statuses.Contains(429));
        var rejecting = await WaitForRequestAsync(request => request.Statuses.Contains(400));
        var retriedDocument = retrying.Documents[Array.IndexOf(retrying.Statuses, 429)].GetRawText();
        var rejectedDocument = rejecting.Documents[Array.IndexOf(rejecting.Statuses, 400)].GetRawText();
        await WaitForRequestAsync(request => request != retrying && request.Documents.Any(document => document.GetRawText() == retriedDocument));

        _elasticsearch.Requests.SkipWhile(request => request != rejecting).Skip(1)
            .Should().NotContain(request => request.Documents.Any(document => document.GetRawText() == rejectedDocument));
        (await DroppedAsync(client, "rejected")).Should().Be(1);
    }

    [Fact]
    public async Task AnElasticsearchAnswering503IsRetriedWithBackOffUntilItRecovers()
    {
        var failing = true;
        _elasticsearch.RequestStatus = () => failing ? 503 : throw new InvalidOperationException();
        using var app = Shipping();
        using var client = await app.CreateReadyClientAsync();
        await WaitForRequestAsync(_ => true);
        await Task.Delay(300);

        _elasticsearch.RequestStatus = null;
        failing = false;
        await WaitForDocumentAsync(document => Text(document, "message")?.StartsWith("Start-up complete", StringComparison.Ordinal) == true);

        (await DroppedAsync(client, "retries_exhausted")).Should().Be(0);
        _elasticsearch.Requests.Count.Should().BeGreaterThan(1);
    }

    [Fact]
    public async Task ADeadElasticsearchNeverFailsARequestAndItsDropsAreCounted()
    {
        var closedPort = ServiceProcess.FreePort();
        using var app = new MonitoredServiceApplication()
            .WithSetting("Observability:Logging:Elasticsearch:Url", $"http://127.0.0.1:{closedPort}")
            .WithSetting("Observability:Logging:Elasticsearch:Period", "00:00:00.050")
            .WithSetting("Observability:Logging:Elasticsearch:MaxAttempts", "2")
            .WithSetting("Observability:Logging:Elasticsearch:FirstRetryDelay", "00:00:00.050");
        using var client = await app.CreateReadyClientAsync();

        for (var i = 0; i < 20; i++)
        {
            (await client.GetAsync("/api/items?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await Eventually.TrueAsync(
            async () => await DroppedAsync(client, "retries_exhausted") > 0,
            "the events the dead endpoint never took should be counted as dropped");
    }

    [Fact]
    public async Task AHungElasticsearchNeitherSlowsRequestsNorGrowsTheQueueAndShutdownKeepsToItsBudget()
    {
        _elasticsearch.Hang = true;
        var app = Shipping()
            .WithSetting("Observability:Logging:Elasticsearch:QueueLimit", "20")
            .WithSetting("Observability:Logging:Elasticsearch:RequestTimeout", "00:00:30")
            .WithSetting("Observability:Logging:Elasticsearch:ShutdownTimeout", "00:00:01");
        using var client = await app.CreateReadyClientAsync();
        await WaitForRequestAsync(_ => true);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            (await client.GetAsync("/api/items?limit=1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "a generous bound: requests never wait for the sink");
        (await DroppedAsync(client, "queue_full")).Should().BeGreaterThan(50);
        (await QueuedAsync(client)).Should().BeLessThanOrEqualTo(20);

        var shutdown = Stopwatch.StartNew();
        app.Dispose();
        shutdown.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the flush waits at most its 1 s budget (a generous bound)");
    }

    [Fact]
    public async Task EachHostInAProcessHasItsOwnLoggerNotAStaticOne()
    {
        await using var other = new FakeElasticsearch();
        using var first = Shipping();
        using var second = new MonitoredServiceApplication()
            .WithSetting("Observability:Logging:Elasticsearch:Url", other.Address.ToString())
            .WithSetting("Observability:Logging:Elasticsearch:Period", "00:00:00.050");
        using var firstClient = await first.CreateReadyClientAsync();
        using var secondClient = await second.CreateReadyClientAsync();

        var firstTrace = TraceResponse.Of(await firstClient.GetAsync("/api/items?limit=1")).TraceId;
        var secondTrace = TraceResponse.Of(await secondClient.GetAsync("/api/items?limit=2")).TraceId;
        await WaitForDocumentAsync(document => Text(document, "trace.id") == firstTrace);
        await WaitForDocumentAsync(other, document => Text(document, "trace.id") == secondTrace);

        _elasticsearch.AcceptedDocuments.Should().NotContain(document => Text(document, "trace.id") == secondTrace);
        other.AcceptedDocuments.Should().NotContain(document => Text(document, "trace.id") == firstTrace);
    }

    [Theory]
    [InlineData("Observability:Logging:Elasticsearch:Url", "not a url", "Observability:Logging:Elasticsearch:Url: ")]
    [InlineData("Observability:Logging:Elasticsearch:DataStream", "Logs With Spaces", "Observability:Logging:Elasticsearch:DataStream: ")]
    [InlineData("Observability:Logging:Elasticsearch:Username", "elastic", "Observability:Logging:Elasticsearch:Password: Username and Password are set together")]
    [InlineData("Observability:Logging:Elasticsearch:BatchSize", "0", "Observability:Logging:Elasticsearch:BatchSize: ")]
    public void InvalidShippingSettingsStopStartNamingTheKey(string key, string value, string message)
    {
        var failure = MonitoredServiceApplication.StartFailure(() => new MonitoredServiceApplication()
            .WithSetting("Observability:Logging:Elasticsearch:Url", _elasticsearch.Address.ToString())
            .WithSetting(key, value));

        failure.Should().BeOfType<OptionsValidationException>().Which.Message.Should().Contain(message);
    }

    private MonitoredServiceApplication Shipping() => new MonitoredServiceApplication()
        .WithSetting("Observability:Logging:Elasticsearch:Url", _elasticsearch.Address.ToString())
        .WithSetting("Observability:Logging:Elasticsearch:ApiKey", ApiKey)
        .WithSetting("Observability:Logging:Elasticsearch:Period", "00:00:00.050")
        .WithSetting("Observability:Logging:Elasticsearch:FirstRetryDelay", "00:00:00.050");

    private Task<JsonElement> WaitForDocumentAsync(Func<JsonElement, bool> match) => WaitForDocumentAsync(_elasticsearch, match);

    private static async Task<JsonElement> WaitForDocumentAsync(FakeElasticsearch elasticsearch, Func<JsonElement, bool> match) =>
        (await Eventually.UntilAsync<JsonElement?>(
            () => elasticsearch.AcceptedDocuments.Where(match).Select(document => (JsonElement?)document).FirstOrDefault(),
            "the document should be shipped"))!.Value;

    private Task<FakeElasticsearch.BulkRequest> WaitForRequestAsync(Func<FakeElasticsearch.BulkRequest, bool> match) =>
        Eventually.UntilAsync(() => _elasticsearch.Requests.FirstOrDefault(match), "the request should arrive");

    private static string? Text(JsonElement document, string field) =>
        document.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task<double> DroppedAsync(HttpClient client, string reason) =>
        (await Exposition.ScrapeAsync(client)).Value("monitoredservice_log_events_dropped_total", ("sink", "elasticsearch"), ("reason", reason)) ?? -1;

    private static async Task<double> ShippedAsync(HttpClient client) =>
        (await Exposition.ScrapeAsync(client)).Value("monitoredservice_log_events_shipped_total", ("sink", "elasticsearch")) ?? -1;

    private static async Task<double> QueuedAsync(HttpClient client) =>
        (await Exposition.ScrapeAsync(client)).Value("monitoredservice_log_queue_length", ("sink", "elasticsearch")) ?? -1;
}
