namespace MonitoredService.Observability.Startup;

/// <summary>
/// Where start-up stands: read by the start-up check on every probe, and awaited by work that must
/// not begin before it is complete (<see cref="WhenCompleteAsync"/>).
/// </summary>
public sealed class StartupState
{
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _pending = "initialisation";
    private volatile int _failedAttempts;

    /// <summary>True once every start-up task has succeeded.</summary>
    public bool IsComplete => _pending is null;

    /// <summary>The task being run, or null once start-up is complete.</summary>
    public string? Pending => _pending;

    /// <summary>How many times the pending task has failed so far.</summary>
    public int FailedAttempts => _failedAttempts;

    /// <summary>Completes when every start-up task has succeeded (at once if that has happened).</summary>
    public Task WhenCompleteAsync(CancellationToken cancellationToken) => _completed.Task.WaitAsync(cancellationToken);

    internal void Begin(string task)
    {
        _pending = task;
        _failedAttempts = 0;
    }

    internal void RecordFailure() => _failedAttempts++;

    internal void Complete()
    {
        _pending = null;
        _completed.TrySetResult();
    }
}
