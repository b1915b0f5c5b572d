namespace MonitoredService.Observability.Shutdown;

/// <summary>Set from the moment shutdown begins; readiness reads it on every probe, uncached.</summary>
internal sealed class ShutdownState
{
    private volatile bool _isShuttingDown;

    public bool IsShuttingDown => _isShuttingDown;

    internal void Begin() => _isShuttingDown = true;
}
