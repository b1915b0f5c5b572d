namespace MonitoredService.RealProcess.Tests.Security;

/// <summary>In Production, an API without authentication says so once at start; configured, it says nothing.</summary>
[Collection(ProcessCollection.Name)]
public sealed class OpenApiWarningTests
{
    private const string Warning = "The API is open: no Authentication:Jwt:Authority or Authentication:Jwt:SigningKey is set";

    [Fact]
    public async Task AnOpenApiInProductionWarnsOnceAtStart()
    {
        await using var service = ServiceProcess.Start();
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();
        (await client.GetAsync("/api/items")).EnsureSuccessStatusCode();

        var lines = service.Stdout.Split('\n').Where(line => line.Contains(Warning, StringComparison.Ordinal)).ToArray();
        lines.Should().ContainSingle().Which.Should().Contain("\"log.level\":\"warn\"");
    }

    [Fact]
    public async Task AProtectedApiDoesNotWarn()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string> { ["Authentication:Jwt:SigningKey"] = new TestTokens().SigningKey });
        await service.WaitUntilReadyAsync();

        service.Stdout.Should().Contain("Start-up complete").And.NotContain(Warning);
    }
}
