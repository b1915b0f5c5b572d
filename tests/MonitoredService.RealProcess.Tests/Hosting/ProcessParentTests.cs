namespace MonitoredService.RealProcess.Tests.Hosting;

/// <summary>
/// A sandbox that asks for a parent-death signal (bwrap --die-with-parent) gets it when the thread
/// that forked it ends, not the test host (prctl(2)). <see cref="ServiceProcess"/> forks from a
/// thread of its own, so a service started from a thread that then ends (a retired thread-pool
/// thread, as in CI) keeps running.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ProcessParentTests
{
    [Fact]
    public async Task AServiceUnderDieWithParentOutlivesTheThreadThatStartedIt()
    {
        ServiceProcess? started = null;
        var starter = new Thread(() =>
        {
            started = ServiceProcess.Start(
                wrapper: ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--bind", "/tmp", "/tmp", "--die-with-parent", "--"]);
            Thread.Sleep(TimeSpan.FromSeconds(2)); // bwrap has asked for the signal by then (asked after its parent ended, it gets none)
        });
        starter.Start();
        starter.Join();
        await using var service = started!;

        await service.WaitUntilReadyAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        service.HasExited.Should().BeFalse($"the thread that started it has ended, the service has not: {service.Stdout}{service.Stderr}");
        (await service.CreateClient().GetAsync("/health/ready")).IsSuccessStatusCode.Should().BeTrue();
    }
}
