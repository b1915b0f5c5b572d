using System.Diagnostics;

namespace MonitoredService.RealProcess.Tests.Health;

/// <summary>
/// <c>MonitoredService healthcheck</c>, the container's HEALTHCHECK (the chiseled image has no curl):
/// the service binary asks the service on the same port, as Docker would run it.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class HealthCheckCommandTests
{
    [Fact]
    public async Task AReadyServiceIsHealthyAndAServiceDrainingIsNotReadyButLive()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string> { ["Observability:Shutdown:DrainDelay"] = "00:00:10" });
        await service.WaitUntilReadyAsync();

        var ready = await RunAsync(service.BaseAddress.Port.ToString(), "healthcheck");
        var live = await RunAsync(service.BaseAddress.Port.ToString(), "healthcheck", "live");
        service.Terminate();
        using var client = service.CreateClient();
        await client.WaitForStatusAsync("/health/ready", System.Net.HttpStatusCode.ServiceUnavailable);
        var draining = await RunAsync(service.BaseAddress.Port.ToString(), "healthcheck", "ready");
        var liveWhileDraining = await RunAsync(service.BaseAddress.Port.ToString(), "healthcheck", "live");

        ready.Should().Be((0, $"healthcheck: http://127.0.0.1:{service.BaseAddress.Port}/health/ready answered 200"));
        live.ExitCode.Should().Be(0);
        draining.Should().Be((1, $"healthcheck: http://127.0.0.1:{service.BaseAddress.Port}/health/ready answered 503"));
        liveWhileDraining.ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task NothingListeningIsUnhealthyAtOnce()
    {
        var port = ServiceProcess.FreePort();
        var clock = Stopwatch.StartNew();

        var result = await RunAsync(port.ToString(), "healthcheck");

        result.ExitCode.Should().Be(1);
        result.Output.Should().StartWith($"healthcheck: http://127.0.0.1:{port}/health/ready did not answer");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "a refused connection fails at once (a generous bound)");
    }

    [Theory]
    [InlineData("8080", "healthcheck: unknown probe 'sideways': use live, ready or startup", "healthcheck", "sideways")]
    [InlineData("http", "healthcheck: ASPNETCORE_HTTP_PORTS is not a port list", "healthcheck")]
    public async Task AMistakeInTheCommandExitsTwoSayingWhat(string ports, string message, params string[] args)
    {
        var result = await RunAsync(ports, args);

        result.Should().Be((2, message));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string ports, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = ServiceBinaries.Directory,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServiceBinaries.Assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_HTTP_PORTS"] = ports;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(bound.Token);
        return (process.ExitCode, output.Trim());
    }
}
