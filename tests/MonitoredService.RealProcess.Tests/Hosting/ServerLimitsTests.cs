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
