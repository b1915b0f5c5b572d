using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Management;

/// <summary>
/// <c>/loggers</c> on the management listener: the levels in force, a change and its effect on what
/// is written (observed in the documents shipped to an in-process Elasticsearch stand-in), the audit
/// event, the override gauge, the revert at the deadline and on request, and bad input.
/// </summary>
public sealed class LoggersTests : IAsyncLifetime
{
    /// <summary>Probe completions are written at Debug by this category: invisible until it is turned up.</summary>
    private const string RequestLog = "MonitoredService.Observability.Logging.RequestLoggingMiddleware";

    private readonly FakeElasticsearch _elasticsearch = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _elasticsearch.DisposeAsync();

    [Fact]
    public async Task TheListShowsTheConfiguredLevelsAndTheirEffect()
    {
        using var service = Start(app => app
            .WithSetting("Serilog:MinimumLevel:Default", "Information") // in-process, an override alone makes Serilog's reader see an empty default
            .WithSetting("Serilog:MinimumLevel:Override:MonitoredService.Items", "Debug"));
        await service.App.CreateReadyClientAsync();

        var list = await service.Management.GetFromJsonAsync<JsonElement>("/loggers");
        var one = await service.Management.GetFromJsonAsync<JsonElement>($"/loggers/{RequestLog}");

        list.GetProperty("levels").EnumerateArray().Select(l => l.GetString()).Should().Equal("Verbose", "Debug", "Information", "Warning", "Error", "Fatal");
        var loggers = list.GetProperty("loggers");
        Level(loggers.GetProperty("Default"), "configuredLevel").Should().Be("Information");
        Level(loggers.GetProperty("Microsoft.AspNetCore"), "effectiveLevel").Should().Be("Warning");
        Level(loggers.GetProperty("MonitoredService.Items"), "configuredLevel").Should().Be("Debug", "Serilog:MinimumLevel:Override:* is read");
        one.GetProperty("configuredLevel").ValueKind.Should().Be(JsonValueKind.Null, "nothing configures this category: it follows Default");
        Level(one, "effectiveLevel").Should().Be("Information");
        one.GetProperty("override").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task TurningACategoryUpWritesItsDebugEventsAuditsTheChangeShowsItAsAMetricAndRevertingStopsThem()
    {
        using var service = Start();
        using var client = await service.App.CreateReadyClientAsync();
        await client.GetAsync("/health/live?before");

        using var change = await Post(service, RequestLog, """{"level":"Debug","duration":"00:10:00"}""", from: "alice@example.com");
        var changed = await change.Content.ReadFromJsonAsync<JsonElement>();
        await client.GetAsync("/health/live?during");
        var probe = await WaitForDocumentAsync(d => Text(d, "url.path") == "/health/live");
        var audit = await WaitForDocumentAsync(d => Text(d, "message")?.StartsWith("Log level of") == true);
        var during = await Exposition.ScrapeAsync(service.Management);

        change.StatusCode.Should().Be(HttpStatusCode.OK);
        Level(changed, "effectiveLevel").Should().Be("Debug");
        Level(changed.GetProperty("override"), "level").Should().Be("Debug");
        DateTimeOffset.Parse(changed.GetProperty("override").GetProperty("until").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeCloseTo(DateTimeOffset.UtcNow.AddMinutes(10), TimeSpan.FromMinutes(1));
        Text(probe, "log.level").Should().Be("debug");
        Text(audit, "log.level").Should().Be("warn");
        Text(audit, "message").Should().Contain(RequestLog).And.Contain("Debug").And.Contain("alice@example.com").And.Contain("Information");
        Text(audit, "client.address").Should().Be("127.0.0.1", "where the change came from");
        during.Value("monitoredservice_log_level_overrides", ("category", RequestLog), ("level", "Debug")).Should().Be(1);
        _elasticsearch.AcceptedDocuments.Count(d => Text(d, "url.path") == "/health/live").Should().Be(1, "the probe before the change was not written");

        using var revert = await Post(service, RequestLog, """{"level":null}""");
        await client.GetAsync("/health/live?after");
        using var marker = await client.GetAsync("/api/items?limit=1");
        await WaitForDocumentAsync(d => Text(d, "url.path") == "/api/items");
        await WaitForDocumentAsync(d => Text(d, "message")?.Contains("reverted from Debug to Information by anonymous") == true);
        var after = await Exposition.ScrapeAsync(service.Management);

        revert.StatusCode.Should().Be(HttpStatusCode.OK);
        _elasticsearch.AcceptedDocuments.Count(d => Text(d, "url.path") == "/health/live").Should().Be(1, "the probe after the revert was not written");
        after.Text.Should().NotContain("monitoredservice_log_level_overrides{", "the series goes with its override");
    }

    [Fact]
    public async Task AnOverrideRevertsByItselfAtItsDeadline()
    {
        using var service = Start();
        await service.App.CreateReadyClientAsync();

        using var change = await Post(service, "MonitoredService.Items", """{"level":"Verbose","duration":"00:00:01"}""");
        JsonElement reverted = default;
        await Eventually.TrueAsync(async () =>
        {
            reverted = await service.Management.GetFromJsonAsync<JsonElement>("/loggers/MonitoredService.Items");
            return reverted.GetProperty("override").ValueKind == JsonValueKind.Null;
        }, "the override should end by itself");
        await WaitForDocumentAsync(d => Text(d, "message")?.Contains("its override ended") == true);
        var metrics = await Exposition.ScrapeAsync(service.Management);

        change.StatusCode.Should().Be(HttpStatusCode.OK);
        Level(reverted, "effectiveLevel").Should().Be("Information");
        metrics.Text.Should().NotContain("monitoredservice_log_level_overrides{");
    }

    [Theory]
    [InlineData("Default", """{"level":"Loud"}""", "'level' must be one of")]
    [InlineData("Default", """{"level":3}""", "'level' must be one of")]
    [InlineData("Default", """{"level":"Debug","duration":"02:00:00"}""", "'duration' must be")]
    [InlineData("Default", """{"level":"Debug","duration":"00:00:00"}""", "'duration' must be")]
    [InlineData("Default", """{"level":"Debug","duration":"ten minutes"}""", "'duration' must be")]
    [InlineData("Default", """{"level":"Debug" """, "The body is not JSON")]
    [InlineData("Default", """{"duration":"00:01:00"}""", "The body names no level")]
    [InlineData("Default", "[]", "The body names no level")]
    [InlineData("has space", """{"level":"Debug"}""", "A category is")]
    public async Task BadInputIsAnswered400ProblemJsonAndChangesNothing(string category, string body, string detail)
    {
        using var service = Start();
        await service.App.CreateReadyClientAsync();

        using var response = await Post(service, Uri.EscapeDataString(category), body);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var list = await service.Management.GetFromJsonAsync<JsonElement>("/loggers");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        problem.GetProperty("status").GetInt32().Should().Be(400);
        problem.GetProperty("detail").GetString().Should().Contain(detail);
        list.GetProperty("loggers").EnumerateObject().Should().OnlyContain(l => l.Value.GetProperty("override").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task OverridesBeyondTheLimitAreRefusedWith409()
    {
        using var service = Start();
        await service.App.CreateReadyClientAsync();

        for (var i = 0; i < MonitoredService.Observability.Logging.LogLevelOverrides.MaxOverrides; i++)
        {
            (await Post(service, $"Category{i}", """{"level":"Debug"}""")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using var refused = await Post(service, "OneTooMany", """{"level":"Debug"}""");
        using var replaced = await Post(service, "Category0", """{"level":"Verbose"}""");

        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        replaced.StatusCode.Should().Be(HttpStatusCode.OK, "replacing an override in force is not one more");
    }

    private ManagedService Start(Func<MonitoredServiceApplication, MonitoredServiceApplication>? configure = null) =>
        ManagedService.Start(app =>
        {
            app.WithSetting("Observability:Logging:Elasticsearch:Url", _elasticsearch.Address.ToString())
                .WithSetting("Observability:Logging:Elasticsearch:Period", "00:00:00.050");
            return configure?.Invoke(app) ?? app;
        });

    private static async Task<HttpResponseMessage> Post(ManagedService service, string category, string body, string? from = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/loggers/{category}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (from is not null)
        {
            request.Headers.From = from;
        }

        return await service.Management.SendAsync(request);
    }

    private async Task<JsonElement> WaitForDocumentAsync(Func<JsonElement, bool> match) =>
        (await Eventually.UntilAsync<JsonElement?>(
            () => _elasticsearch.AcceptedDocuments.Where(match).Select(d => (JsonElement?)d).FirstOrDefault(),
            "the document should be shipped"))!.Value;

    private static string? Level(JsonElement element, string property) => element.GetProperty(property).GetString();

    private static string? Text(JsonElement document, string field) =>
        document.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
