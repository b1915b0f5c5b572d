using System.Net;
using System.Text;

namespace MonitoredService.RealProcess.Tests.Hosting;

/// <summary>Kestrel's own limits, which only a real server enforces.</summary>
[Collection(ProcessCollection.Name)]
public sealed class ServerLimitsTests
{
    [Fact]
    public async Task KestrelLimitsAnswer4xxAndTheServiceKeepsServing()
    {
        await using var service = ServiceProcess.Start();
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();

        // A body over 64 KiB: 413, as problem+json (the framework reads the body inside the pipeline).
        var oversized = $$"""{"name":"{{new string('x', 70 * 1024)}}"}""";
        using var tooLarge = await client.PostAsync("/api/items", new StringContent(oversized, Encoding.UTF8, "application/json"));
        await tooLarge.ShouldBeProblemAsync(413);

        // Headers over 32 KiB and request lines over 8 KiB are refused by Kestrel before any middleware
        // runs, so these answers carry no body.
        using var bigHeaders = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        bigHeaders.Headers.Add("X-Padding", new string('h', 40 * 1024));
        (await client.SendAsync(bigHeaders)).StatusCode.Should().Be(HttpStatusCode.RequestHeaderFieldsTooLarge);
        (await client.GetAsync($"/api/items?pad={new string('u', 9 * 1024)}")).StatusCode.Should().Be(HttpStatusCode.RequestUriTooLong);

        using var live = await client.GetAsync("/health/live");
        live.StatusCode.Should().Be(HttpStatusCode.OK);
        live.Headers.Contains("Server").Should().BeFalse("the server does not advertise itself");
    }

    [Fact]
    public async Task RequestsKestrelRefusesBeforeRoutingAreCountedByErrorType()
    {
        await using var service = ServiceProcess.Start();
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();

        // No middleware sees these: only Kestrel's connection metric does.
        foreach (var raw in new[] { "GARBAGE\r\n\r\n", $"GET /api/items HTTP/1.1\r\nHost: x\r\nX-Padding: {new string('h', 40 * 1024)}\r\n\r\n" })
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync("127.0.0.1", service.BaseAddress.Port);
            await using var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(raw));
            var answer = new byte[64];
            (await stream.ReadAsync(answer)).Should().BeGreaterThan(0, "Kestrel answers before closing");
            Encoding.ASCII.GetString(answer).Should().StartWith("HTTP/1.1 4");
        }

        await client.WaitForMetricAsync("kestrel_connections_closed_total", ("error_type", "invalid_request_line"));
        await client.WaitForMetricAsync("kestrel_connections_closed_total", ("error_type", "max_request_headers_total_size_exceeded"));
        var metrics = await Exposition.ScrapeAsync(client);
        metrics.Value("http_requests_received_total", ("code", "431")).Should().BeNull("no request metric ever sees them");
    }

    [Fact]
    public async Task KestrelAnswersHeadOnProbesWithoutABody()
    {
        await using var service = ServiceProcess.Start();
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/health/ready"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }
}
