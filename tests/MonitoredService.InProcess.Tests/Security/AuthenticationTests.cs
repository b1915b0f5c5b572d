using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Security;

/// <summary>
/// Bearer tokens on /api/*: every refusal's status, headers and problem body, its count by reason
/// (once per refusal), the write scope, and what never needs a token.
/// </summary>
public sealed class AuthenticationTests
{
    private const string Audience = "monitoredservice-api";

    private readonly TestTokens _tokens = new();

    [Fact]
    public async Task WithoutConfigurationTheApiIsOpenAsBefore()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        (await client.PostAsJsonAsync("/api/items", new { name = "open" })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await client.GetAsync("/api/items")).StatusCode.Should().Be(HttpStatusCode.OK);
        var metrics = await Exposition.ScrapeAsync(client);
        foreach (var reason in new[] { "missing", "invalid", "expired", "forbidden" })
        {
            metrics.Value("monitoredservice_auth_failures_total", ("reason", reason)).Should().Be(0, reason);
        }
    }

    [Fact]
    public async Task ARequestWithoutATokenIsRefused401WithABearerChallenge()
    {
        using var app = Protected();
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.GetAsync("/api/items");

        var problem = await response.ShouldBeProblemAsync(401);
        problem.GetProperty("title").GetString().Should().Be("Unauthorized");
        problem.GetProperty("detail").GetString().Should().Contain("bearer token is required");
        response.Headers.WwwAuthenticate.Should().ContainSingle().Which.ToString().Should().Be("Bearer");
        (await FailuresAsync(client, "missing")).Should().Be(1);
    }

    [Fact]
    public async Task AnotherSchemeThanBearerCountsAsMissing()
    {
        using var app = Protected();
        using var client = await app.CreateReadyClientAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");

        (await client.GetAsync("/api/items")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        (await FailuresAsync(client, "missing")).Should().Be(1);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")]
    public async Task AMalformedOrForgedTokenIsRefused401AsInvalid(string token)
    {
        using var app = Protected();
        using var client = await app.CreateReadyClientAsync();

        using var response = await Send(client, HttpMethod.Get, "/api/items", token);

        var problem = await response.ShouldBeProblemAsync(401);
        problem.GetProperty("detail").GetString().Should().Be("The bearer token is not valid for this service.");
        response.Headers.WwwAuthenticate.Single().ToString().Should().Be("Bearer error=\"invalid_token\"");
        (await FailuresAsync(client, "invalid")).Should().Be(1);
    }

    [Fact]
    public async Task ATokenSignedWithAnotherKeyIsInvalid()
    {
        using var app = Protected();
        using var client = await app.CreateReadyClientAsync();

        using var response = await Send(client, HttpMethod.Get, "/api/items", new TestTokens().Mint(audience: Audience));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await FailuresAsync(client, "invalid")).Should().Be(1);
    }

    [Fact]
    public async Task ATokenForAnotherAudienceIsInvalid()
    {
        using var app = Protected();
        using var client = await app.CreateReadyClientAsync();

        using var response = await Send(client, HttpMethod.Get, "/api/items", _tokens.Mint(audience: "another-api"));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await FailuresAsync(client, "invalid")).Should().Be(1);
    }

    [Fact]
    public async Task AnExpiredTokenIsRefused401AsExpired()
    {
        using var app = Protected();
        using var client = await app.CreateReadyClientAsync();

        using var response = await Send(client, HttpMethod.Get, "/api/items", _tokens.Mint(audience: Audience, lifetime: TimeSpan.FromMinutes(-5)));

        var problem = await response.ShouldBeProblemAsync(401);
        problem.GetProperty("detail").GetString().Should().Be("The bearer token has expired.");
        response.Headers.WwwAuthenticate.Single().ToString().Should().Be("Bearer error=\"invalid_token\", error_description=\"The token expired\"");
        (await FailuresAsync(client, "expired")).Should().Be(1);
        (await FailuresAsync(client, "invalid")).Should().Be(0);
    }

    [Fact]
    public async Task AValidTokenReadsButNeedsTheWriteScopeToWrite()
    {
        using var app = Protected();
        using var client = await app.CreateReadyClientAsync();
        var reader = _tokens.Mint(subject: "reader", audience: Audience);
        var writer = _tokens.Mint(subject: "writer", audience: Audience, scope: "items:read items:write");

        (await Send(client, HttpMethod.Get, "/api/items", reader)).StatusCode.Should().Be(HttpStatusCode.OK);
        using var forbidden = await Send(client, HttpMethod.Post, "/api/items", reader, new { name = "x" });
        using var created = await Send(client, HttpMethod.Post, "/api/items", writer, new { name = "x" });
        using var notDeleted = await Send(client, HttpMethod.Delete, created.Headers.Location!.ToString(), reader);
        using var deleted = await Send(client, HttpMethod.Delete, created.Headers.Location!.ToString(), writer);

        var problem = await forbidden.ShouldBeProblemAsync(403);
        problem.GetProperty("detail").GetString().Should().Be("The token does not grant the scope items:write.");
        forbidden.Headers.WwwAuthenticate.Single().ToString().Should().Be("Bearer error=\"insufficient_scope\", scope=\"items:write\"");
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        notDeleted.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await FailuresAsync(client, "forbidden")).Should().Be(2);
        (await FailuresAsync(client, "missing")).Should().Be(0);
    }

    [Fact]
    public async Task TheScpClaimGrantsScopesToo()
    {
        using var app = Protected();
        using var client = await app.CreateReadyClientAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = _tokens.Sign(new Dictionary<string, object>
        {
            ["sub"] = "azure-style", ["aud"] = Audience, ["scp"] = "items:write", ["nbf"] = now, ["exp"] = now + 600,
        });

        (await Send(client, HttpMethod.Post, "/api/items", token, new { name = "scp" })).StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task EachRefusalIsCountedOnce()
    {
        using var app = Protected();
        using var client = await app.CreateReadyClientAsync();

        for (var i = 0; i < 7; i++)
        {
            (await client.GetAsync("/api/items")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        (await FailuresAsync(client, "missing")).Should().Be(7);
        var metrics = await Exposition.ScrapeAsync(client);
        metrics.Value("http_requests_received_total", ("code", "401"), ("endpoint", "/api/items")).Should().Be(7, "the refusals are API requests answered 401");
    }

    [Fact]
    public async Task ProbesAndMetricsTakeNoToken()
    {
        using var app = Protected();
        using var client = await app.CreateReadyClientAsync();

        foreach (var path in new[] { "/health/live", "/health/ready", "/health/startup", "/metrics" })
        {
            (await client.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.OK, path);
        }

        (await FailuresAsync(client, "missing")).Should().Be(0);
    }

    [Fact]
    public async Task ATokenOfAnIssuerOtherThanTheConfiguredOneIsInvalid()
    {
        using var app = Protected().WithSetting("Authentication:Jwt:Issuer", "https://issuer.example");
        using var client = await app.CreateReadyClientAsync();

        (await Send(client, HttpMethod.Get, "/api/items", _tokens.Mint(audience: Audience, issuer: "https://other.example"))).StatusCode
            .Should().Be(HttpStatusCode.Unauthorized);
        (await Send(client, HttpMethod.Get, "/api/items", _tokens.Mint(audience: Audience, issuer: "https://issuer.example"))).StatusCode
            .Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WithTheValidationCacheOffEveryRefusalIsStillRight()
    {
        using var app = Protected().WithSetting("Authentication:Jwt:ValidationCacheDuration", "00:00:00");
        using var client = await app.CreateReadyClientAsync();
        var reader = _tokens.Mint(audience: Audience);

        (await Send(client, HttpMethod.Get, "/api/items", reader)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Send(client, HttpMethod.Get, "/api/items", reader)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Send(client, HttpMethod.Post, "/api/items", reader, new { name = "x" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Send(client, HttpMethod.Get, "/api/items", _tokens.Mint(audience: Audience, lifetime: TimeSpan.FromMinutes(-1)))).StatusCode
            .Should().Be(HttpStatusCode.Unauthorized);
        (await FailuresAsync(client, "expired")).Should().Be(1);
    }

    [Fact]
    public async Task ARememberedTokenStillNeedsItsScope()
    {
        using var app = Protected();
        using var client = await app.CreateReadyClientAsync();
        var reader = _tokens.Mint(audience: Audience);

        for (var i = 0; i < 3; i++)
        {
            (await Send(client, HttpMethod.Get, "/api/items", reader)).StatusCode.Should().Be(HttpStatusCode.OK);
            (await Send(client, HttpMethod.Post, "/api/items", reader, new { name = "x" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        (await FailuresAsync(client, "forbidden")).Should().Be(3);
    }

    [Fact]
    public async Task TheKeyCanComeFromAFile()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, _tokens.SigningKey + "\n");
        try
        {
            using var app = new MonitoredServiceApplication().WithSetting("Authentication:Jwt:SigningKeyFile", file);
            using var client = await app.CreateReadyClientAsync();

            (await client.GetAsync("/api/items")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await Send(client, HttpMethod.Get, "/api/items", _tokens.Mint())).StatusCode.Should().Be(HttpStatusCode.OK);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private MonitoredServiceApplication Protected() => new MonitoredServiceApplication()
        .WithSetting("Authentication:Jwt:SigningKey", _tokens.SigningKey)
        .WithSetting("Authentication:Jwt:Audience", Audience);

    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await client.SendAsync(request);
    }

    private static async Task<double?> FailuresAsync(HttpClient client, string reason) =>
        (await Exposition.ScrapeAsync(client)).Value("monitoredservice_auth_failures_total", ("reason", reason));
}
