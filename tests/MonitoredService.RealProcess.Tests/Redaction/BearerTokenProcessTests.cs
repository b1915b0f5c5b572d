using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace MonitoredService.RealProcess.Tests.Redaction;

/// <summary>
/// With authentication on and every log level at its most verbose (the bearer handler's own logs
/// included), no token a client sent (accepted, forbidden, expired, forged) and not the signing
/// key leaves the process: not on stdout or stderr, in the shipped logs, or in the spans. Each
/// refusal is still logged, with its reason and the client's address.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class BearerTokenProcessTests
{
    [Fact]
    public async Task NoTokenAndNotTheSigningKeyLeaveTheProcess()
    {
        var tokens = new TestTokens();
        await using var elasticsearch = new FakeElasticsearch();
        await using var collector = new FakeOtlpCollector();
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
            ["Authentication:Jwt:SigningKey"] = tokens.SigningKey,
            ["Serilog:MinimumLevel:Default"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose",
            ["Observability:Logging:Elasticsearch:Url"] = elasticsearch.Address.ToString(),
            ["Observability:Logging:Elasticsearch:Period"] = "00:00:00.100",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_TRACES_SAMPLER"] = "always_on",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();
        var sent = new Dictionary<string, HttpStatusCode>
        {
            [tokens.Mint(subject: "writer", scope: "items:write")] = HttpStatusCode.Created,
            [tokens.Mint(subject: "reader")] = HttpStatusCode.Forbidden,
            [tokens.Mint(subject: "late", lifetime: TimeSpan.FromMinutes(-10))] = HttpStatusCode.Unauthorized,
            [new TestTokens().Mint(subject: "forger", scope: "items:write")] = HttpStatusCode.Unauthorized,
        };

        foreach (var (token, expected) in sent)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/items")
            {
                Content = new StringContent("{\"name\":\"token test\"}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await client.SendAsync(request)).StatusCode.Should().Be(expected);
        }

        await Eventually.TrueAsync(() => Task.FromResult(collector.Payloads.Count > 0 && elasticsearch.Requests.Count > 0), "logs and spans are shipped");
        service.Terminate();
        (await service.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0);

        // The whole token, its claims and its signature: each part alone identifies it.
        var secrets = sent.Keys.SelectMany(token => token.Split('.').Skip(1)).Append(tokens.SigningKey).ToArray();
        service.Stdout.Should().Contain("\"event.reason\":\"expired\"").And.Contain("\"event.reason\":\"invalid\"")
            .And.Contain("\"event.reason\":\"forbidden\"").And.Contain("\"client.address\":\"127.0.0.1\"");
        service.Stdout.Should().Contain("\"log.logger\":\"Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler\"",
            "the bearer handler's own logs, with the validation errors, are on at this level");
        service.Stdout.Should().NotContainAny(secrets);
        service.Stderr.Should().NotContainAny(secrets);
        string.Join('\n', elasticsearch.Requests.Select(r => r.Body)).Should().NotContainAny(secrets);
        string.Join('\n', collector.Payloads.Select(p => Encoding.UTF8.GetString(p))).Should().NotContainAny(secrets);
    }
}
