namespace MonitoredService.Observability.Startup;

/// <summary>Where start-up stands; read by the start-up check on every probe.</summary>
public sealed class StartupState
{
    private volatile string? _pending = "initialisation";
    private volatile int _failedAttempts;

    public bool IsComplete => _pending is null;

    /// <summary>The task being run, or null once start-up is complete.</summary>
    public string? Pending => _pending;

    public int FailedAttempts => _failedAttempts;

    internal void Begin(string task)
    {
        _pending = task;
        _failedAttempts = 0;
    }

    internal void RecordFailure() => _failedAttempts++;

    internal void Complete() => _pending = null;
}
