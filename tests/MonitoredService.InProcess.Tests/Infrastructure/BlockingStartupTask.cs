using MonitoredService.Observability.Startup;

namespace MonitoredService.InProcess.Tests.Infrastructure;

/// <summary>A start-up task that holds start-up open until the test releases it.</summary>
public sealed class BlockingStartupTask : IStartupTask
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "test gate";

    public void Release() => _release.TrySetResult();

    public Task RunAsync(CancellationToken cancellationToken) => _release.Task.WaitAsync(cancellationToken);
}
