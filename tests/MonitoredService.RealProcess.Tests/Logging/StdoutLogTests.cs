using System.Net.Http.Json;
using System.Text.Json;

namespace MonitoredService.RealProcess.Tests.Logging;

/// <summary>What the container runtime (and Fluent Bit) reads: the process's stdout.</summary>
[Collection(ProcessCollection.Name)]
public sealed class StdoutLogTests
{
    private static readonly string[] Levels = ["trace", "debug", "info", "warn", "error", "fatal"];

    [Fact]
    public async Task EveryLineIsAnEcsEventAndEveryApiRequestHasOneCompletionEventWithItsIds()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string> { ["Observability:Shutdown:DrainDelay"] = "00:00:00" });
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();
        var requests = new List<(string Method, string Path, string Route, int Status, TraceResponse Trace)>();
        async Task SendAsync(HttpRequestMessage request, string route)
        {
            var path = request.RequestUri!.OriginalString.Split('?')[0];
            using var response = await client.SendAsync(request);
            requests.Add((request.Method.Method, path, route, (int)response.StatusCode, TraceResponse.Of(response)));
        }

        await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/items") { Content = JsonContent.Create(new { name = "logged" }) }, "/api/items");
        await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/items/1"), "/api/items/{id}");
        await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/items/404404"), "/api/items/{id}");
        await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/items/abc?x=1"), "/api/items/{id}");
        await SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/items/1"), "/api/items/{id}");
        await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/no/such/thing"), "");
        service.Terminate();
        (await service.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0);

        var events = Events(service.Stdout);
        events.Should().HaveCountGreaterThan(requests.Count);
        foreach (var logEvent in events)
        {
            DateTimeOffset.Parse(Text(logEvent, "@timestamp")!, System.Globalization.CultureInfo.InvariantCulture);
            Levels.Should().Contain(Text(logEvent, "log.level"));
            Text(logEvent, "message").Should().NotBeNullOrEmpty();
            Text(logEvent, "service.name").Should().Be("monitoredservice");
            Text(logEvent, "service.version").Should().Be("0.1.0");
            Text(logEvent, "service.environment").Should().Be("production");
            Text(logEvent, "ecs.version").Should().NotBeNull();
        }

        foreach (var (method, path, route, status, trace) in requests)
        {
            var completions = events.Where(e => Text(e, "trace.id") == trace.TraceId && Text(e, "http.request.method") is not null).ToArray();
            completions.Should().ContainSingle($"{method} {path} has one completion event");
            var completion = completions[0];
            Text(completion, "span.id").Should().Be(trace.SpanId);
            Text(completion, "http.request.method").Should().Be(method);
            Text(completion, "url.path").Should().Be(path, "the path, never the query string");
            Text(completion, "http.route").Should().Be(route);
            completion.GetProperty("http.response.status_code").GetInt32().Should().Be(status);
            completion.GetProperty("event.duration").GetInt64().Should().BePositive();
            Text(completion, "log.level").Should().Be("info");
        }
    }

    [Fact]
    public async Task UnderConcurrentLoadEveryRequestHasExactlyOneCompletionLineAndNoneIsDropped()
    {
        const int Requests = 4_000;
        await using var service = ServiceProcess.Start(new Dictionary<string, string> { ["Observability:Shutdown:DrainDelay"] = "00:00:00" });
        await service.WaitUntilReadyAsync();
        using var client = new HttpClient { BaseAddress = service.BaseAddress }; // keep-alive: as fast as the service goes
        var next = 0;

        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            for (var id = Interlocked.Increment(ref next); id <= Requests; id = Interlocked.Increment(ref next))
            {
                using var response = await client.GetAsync($"/api/items/{id}");
                response.StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
            }
        })));
        var dropped = (await Exposition.ScrapeAsync(client)).Value("monitoredservice_log_events_dropped_total", ("sink", "console"), ("reason", "queue_full"));
        service.Terminate();
        (await service.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0);

        var paths = Events(service.Stdout)
            .Where(e => Text(e, "http.route") == "/api/items/{id}")
            .Select(e => Text(e, "url.path"))
            .ToList();
        paths.Should().HaveCount(Requests).And.OnlyHaveUniqueItems();
        paths.Should().BeEquivalentTo(Enumerable.Range(1, Requests).Select(id => $"/api/items/{id}"));
        dropped.Should().Be(0);
    }

    [Fact]
    public async Task ProbesAndScrapesAreLoggedBelowInformation()
    {
        await using var quiet = ServiceProcess.Start(new Dictionary<string, string> { ["Observability:Shutdown:DrainDelay"] = "00:00:00" });
        await using var chatty = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
            ["Serilog:MinimumLevel:Default"] = "Debug",
        });

        foreach (var service in new[] { quiet, chatty })
        {
            await service.WaitUntilReadyAsync();
            using var client = service.CreateClient();
            foreach (var path in new[] { "/health/live", "/health/ready", "/health/startup", "/metrics" })
            {
                (await client.GetAsync(path)).EnsureSuccessStatusCode();
            }

            service.Terminate();
            (await service.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0);
        }

        Completions(quiet.Stdout).Where(Probe).Should().BeEmpty();
        Completions(chatty.Stdout).Where(Probe).Should().NotBeEmpty().And.OnlyContain(e => Text(e, "log.level") == "debug");
    }

    [Fact]
    public async Task RequestLoggingCanBeSwitchedOffWithoutLosingOtherEvents()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
            ["Observability:Logging:RequestLogging"] = "false",
        });
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();
        (await client.GetAsync("/api/items")).EnsureSuccessStatusCode();
        service.Terminate();
        (await service.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0);

        Completions(service.Stdout).Should().BeEmpty();
        Events(service.Stdout).Should().Contain(e => Text(e, "message")!.StartsWith("Start-up complete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecretsNeverReachStdoutEvenAtTheMostVerboseLevel()
    {
        const string bearer = "canary-bearer-8c1d2e3f4a5b";
        const string cookie = "canary-cookie-9d8c7b6a";
        const string queryToken = "canary-query-token-1a2b3c";
        const string esPassword = "canary-es-password-5e6f";
        const string pathPassword = "canary-path-password-7a8b";
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
            ["Serilog:MinimumLevel:Default"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.Extensions.Diagnostics.HealthChecks"] = "Verbose",
            ["Observability:Logging:Elasticsearch:Url"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
            ["Observability:Logging:Elasticsearch:Username"] = "elastic",
            ["Observability:Logging:Elasticsearch:Password"] = esPassword,
        });
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/items?token={queryToken}&api_key={queryToken}");
        request.Headers.Add("Authorization", $"Bearer {bearer}");
        request.Headers.Add("Cookie", $"session={cookie}");
        await client.SendAsync(request);
        await client.GetAsync($"/api/items/Password={pathPassword};");
        service.Terminate();
        (await service.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0);

        Events(service.Stdout).Should().HaveCountGreaterThan(50, "verbose logging writes a lot");
        service.Stdout.Should().NotContainAny(bearer, cookie, queryToken, esPassword, pathPassword);
        service.Stderr.Should().NotContainAny(bearer, cookie, queryToken, esPassword, pathPassword);
        service.Stdout.Should().Contain("Password=***", "the path with a password was logged, masked");
    }

    private static JsonElement[] Events(string stdout) => stdout
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line =>
        {
            var parse = () => JsonDocument.Parse(line).RootElement.Clone();
            return parse.Should().NotThrow($"every stdout line is JSON: {line}").Subject;
        })
        .ToArray();

    private static IEnumerable<JsonElement> Completions(string stdout) =>
        Events(stdout).Where(e => Text(e, "http.request.method") is not null);

    private static bool Probe(JsonElement completion) =>
        Text(completion, "url.path") is { } path && (path.StartsWith("/health", StringComparison.Ordinal) || path == "/metrics");

    private static string? Text(JsonElement logEvent, string field) =>
        logEvent.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
