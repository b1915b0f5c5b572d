using System.Net;
#if (WithAuth)
using System.Net.Http.Headers;
#endif
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Security;

/// <summary>
/// The per-client token bucket (429) and the global concurrency limit (503): their answers, their
/// counts, that one client's flood leaves another client and the probes served, and that forwarded
/// headers move a request to another bucket only when they come from a known proxy.
/// </summary>
public sealed class RateLimitingTests
{
#if (WithAuth)
    private readonly TestTokens _tokens = new();

#endif
    [Fact]
    public async Task AClientOverItsRateGets429WithRetryAfter()
    {
        using var app = Limited(permitsPerSecond: 3);
        using var client = await app.CreateReadyClientAsync();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 10; i++)
        {
            var response = await client.GetAsync("/api/items");
            statuses.Add(response.StatusCode);
            refused ??= response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        // A bucket of 3, refilled by 3 once a second: at most 6 of 10 quick requests pass.
        statuses.Count(status => status == HttpStatusCode.OK).Should().BeInRange(3, 6);
        refused.Should().NotBeNull();
        var problem = await refused!.ShouldBeProblemAsync(429);
        problem.GetProperty("title").GetString().Should().Be("Too many requests");
        problem.GetProperty("type").GetString().Should().Be("https://tools.ietf.org/html/rfc6585#section-4");
        refused!.Headers.RetryAfter!.Delta.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(2));
        var metrics = await Exposition.ScrapeAsync(client);
        metrics.Value("monitoredservice_requests_rejected_total", ("reason", "rate_limit"))
            .Should().Be(statuses.Count(status => status == HttpStatusCode.TooManyRequests));
        metrics.Value("monitoredservice_requests_rejected_total", ("reason", "concurrency")).Should().Be(0);
    }

#if (WithAuth)
    [Fact]
    public async Task AFloodFromOneClientLeavesASecondClientAndTheProbesServed()
    {
        using var app = Limited(permitsPerSecond: 5).WithSetting("Authentication:Jwt:SigningKey", _tokens.SigningKey);
        using var client = await app.CreateReadyClientAsync();
        var noisy = _tokens.Mint(subject: "noisy");
        var quiet = _tokens.Mint(subject: "quiet");

        var flood = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => StatusAsync(client, "/api/items", noisy)));

        flood.Count(status => status == HttpStatusCode.TooManyRequests).Should().BeGreaterThan(180);
        (await StatusAsync(client, "/api/items", quiet)).Should().Be(HttpStatusCode.OK, "the quiet client has its own bucket");
        for (var i = 0; i < 20; i++)
        {
            foreach (var probe in new[] { "/health/live", "/health/ready", "/health/startup", "/metrics" })
            {
                (await client.GetAsync(probe)).StatusCode.Should().Be(HttpStatusCode.OK, $"{probe} is never limited");
            }
        }
    }
#endif

    [Fact]
    public async Task RequestsOverTheConcurrencyLimitGet503AtOnce()
    {
        using var app = new MonitoredServiceApplication().WithSetting("RateLimiting:MaxConcurrentRequests", "1");
        using var client = await app.CreateReadyClientAsync();
        app.Store.Mode = StoreMode.Hung;
        try
        {
            var hung = client.GetAsync("/api/items/1");
            await Eventually.TrueAsync(async () =>
                (await Exposition.ScrapeAsync(client)).Value("http_requests_in_progress", ("endpoint", "/api/items/{id}")) == 1,
                "the first request holds the only slot");

            using var shed = await client.GetAsync("/api/items");

            var problem = await shed.ShouldBeProblemAsync(503);
            problem.GetProperty("title").GetString().Should().Be("Service over capacity");
            shed.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(1));
            (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK, "probes are never shed");
            (await client.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.OK);
            app.Store.Mode = StoreMode.Working;
            (await hung).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await client.GetAsync("/api/items")).StatusCode.Should().Be(HttpStatusCode.OK, "the slot is free again");
            var metrics = await Exposition.ScrapeAsync(client);
            metrics.Value("monitoredservice_requests_rejected_total", ("reason", "concurrency")).Should().Be(1);
            metrics.Value("monitoredservice_requests_rejected_total", ("reason", "rate_limit")).Should().Be(0);
        }
        finally
        {
            app.Store.Mode = StoreMode.Working;
        }
    }

    [Fact]
    public async Task ForwardedHeadersFromAnUnknownProxyDoNotChangeTheBucket()
    {
        using var app = Limited(permitsPerSecond: 2).WithSetting("ForwardedHeaders:KnownProxies:0", "10.0.0.1");
        await app.CreateReadyClientAsync();

        // From 10.9.9.9 (not a known proxy), each request claims another client.
        var statuses = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add(await SendFromAsync(app, "10.9.9.9", forwardedFor: $"192.0.2.{i + 1}"));
        }

        statuses.Count(status => status == 429).Should().BeGreaterThanOrEqualTo(4, "every request is in the bucket of 10.9.9.9");
    }

    [Fact]
    public async Task ForwardedHeadersFromAKnownProxyGiveEachClientItsBucket()
    {
        using var app = Limited(permitsPerSecond: 2).WithSetting("ForwardedHeaders:KnownProxies:0", "10.0.0.1");
        await app.CreateReadyClientAsync();

        var statuses = new List<int>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add(await SendFromAsync(app, "10.0.0.1", forwardedFor: $"192.0.2.{i + 1}"));
        }

        statuses.Should().OnlyContain(status => status == 200, "each forwarded client has a full bucket");
        (await SendFromAsync(app, "10.0.0.1", forwardedFor: "192.0.2.1")).Should().Be(200);
        (await SendFromAsync(app, "10.0.0.1", forwardedFor: "192.0.2.1")).Should().Be(429, "192.0.2.1 has spent its 2");
    }

    [Fact]
    public async Task WithoutKnownProxiesNoForwardedHeaderIsBelievedNotEvenFromLoopback()
    {
        using var app = Limited(permitsPerSecond: 2);
        await app.CreateReadyClientAsync();

        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add(await SendFromAsync(app, "127.0.0.1", forwardedFor: $"192.0.2.{i + 1}"));
        }

        statuses.Count(status => status == 429).Should().BeGreaterThanOrEqualTo(2);
    }

    private static MonitoredServiceApplication Limited(int permitsPerSecond) => new MonitoredServiceApplication()
        .WithSetting("RateLimiting:PermitsPerSecond", permitsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture));

#if (WithAuth)
    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
#endif

    /// <summary>A request whose connection comes from <paramref name="remote"/> (TestServer has no socket to say it).</summary>
    private static async Task<int> SendFromAsync(MonitoredServiceApplication app, string remote, string forwardedFor)
    {
        var context = await app.Server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = "/api/items";
            context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        });
        return context.Response.StatusCode;
    }
}
