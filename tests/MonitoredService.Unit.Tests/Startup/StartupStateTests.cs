using MonitoredService.Observability.Startup;

namespace MonitoredService.Unit.Tests.Startup;

/// <summary>Work that must wait for start-up awaits it instead of polling.</summary>
public sealed class StartupStateTests
{
    [Fact]
    public async Task CompletionCanBeAwaitedBeforeAndAfterItHappens()
    {
        var state = new StartupState();
        var waiting = state.WhenCompleteAsync(CancellationToken.None);

        state.Begin("store migration");
        waiting.IsCompleted.Should().BeFalse();
        state.Complete();

        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        state.IsComplete.Should().BeTrue();
        state.WhenCompleteAsync(CancellationToken.None).IsCompletedSuccessfully.Should().BeTrue("it is complete for good");
    }

    [Fact]
    public async Task AWaiterCanGiveUp()
    {
        using var stopping = new CancellationTokenSource();
        var waiting = new StartupState().WhenCompleteAsync(stopping.Token);

        await stopping.CancelAsync();

        await waiting.Invoking(task => task).Should().ThrowAsync<OperationCanceledException>();
    }
}
