
namespace MonitoredService.RealProcess.Tests.Configuration;

/// <summary>Bad configuration stops the real process at start, non-zero, with the key in its message.</summary>
[Collection(ProcessCollection.Name)]
public sealed class StartupFailureTests
{
    [Fact]
    public async Task AnInvalidSettingStopsTheProcessNonZeroNamingTheKey()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Shutdown:DrainDelay"] = "01:00:00",
        });

        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));

        exitCode.Should().NotBe(0);
        const string message = "Observability:Shutdown:DrainDelay: The field DrainDelay must be between 00:00:00 and 00:05:00.";
        service.Stderr.Should().Contain(message);
        service.Stdout.Should().Contain("Hosting failed to start").And.Contain(message);
    }
}
