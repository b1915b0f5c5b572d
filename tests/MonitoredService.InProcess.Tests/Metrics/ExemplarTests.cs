using System.Text.RegularExpressions;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Metrics;

/// <summary>Request-duration observations carry the trace id when scraped as OpenMetrics.</summary>
[Collection(Tracing.TracingCollection.Name)]
public sealed partial class ExemplarTests : IAsyncLifetime
{
    private const string OpenMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private readonly FakeOtlpCollector _collector = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _collector.DisposeAsync();

    [Fact]
    public async Task TheDurationOfASampledRequestCarriesItsTraceIdAsAnExemplar()
    {
        using var app = Traced("always_on");
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.GetAsync("/api/items?limit=1");
        var trace = TraceResponse.Of(response);
        var exposition = await ScrapeOpenMetricsAsync(client);

        var exemplars = Exemplar().Matches(exposition).Where(match => match.Groups["series"].Value.Contains("endpoint=\"/api/items\"")).ToArray();
        exemplars.Should().ContainSingle().Which.Groups["trace"].Value.Should().Be(trace.TraceId);
        exposition.Should().EndWith("# EOF\n");
    }

    [Fact]
    public async Task AnUnsampledRequestHasNoExemplarThatWouldLeadNowhere()
    {
        using var app = Traced("always_off");
        using var client = await app.CreateReadyClientAsync();

        await client.GetAsync("/api/items?limit=1");
        var exposition = await ScrapeOpenMetricsAsync(client);

        exposition.Should().NotContain("trace_id=");
    }

    [Fact]
    public async Task ThePrometheusTextFormatHasNoExemplars()
    {
        using var app = Traced("always_on");
        using var client = await app.CreateReadyClientAsync();

        await client.GetAsync("/api/items?limit=1");
        var exposition = await Exposition.ScrapeAsync(client);

        exposition.Text.Should().NotContain("trace_id=");
    }

    private static async Task<string> ScrapeOpenMetricsAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.TryAddWithoutValidation("Accept", OpenMetrics);
        using var response = await client.SendAsync(request);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/openmetrics-text");
        return await response.Content.ReadAsStringAsync();
    }

    private MonitoredServiceApplication Traced(string sampler) => new MonitoredServiceApplication()
        .WithSetting("OTEL_EXPORTER_OTLP_ENDPOINT", _collector.Address.ToString())
        .WithSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
        .WithSetting("OTEL_TRACES_SAMPLER", sampler);

    [GeneratedRegex(@"^(?<series>http_request_duration_seconds_bucket\{[^\n]*\}) \d+ # \{trace_id=""(?<trace>[0-9a-f]{32})"",span_id=""[0-9a-f]{16}""\}", RegexOptions.Multiline)]
    private static partial Regex Exemplar();
}
