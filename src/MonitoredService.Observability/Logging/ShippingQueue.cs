using Serilog.Core;
using Serilog.Events;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// The bounded, counted queue in front of Serilog's batching sink (whose own limit drops events
/// without telling anyone). Disposing it starts the shutdown budget, then waits for the final flush.
/// </summary>
internal sealed class ShippingQueue(ILogEventSink batching, ShippingState state, LogShippingMetrics metrics, int limit, string sink)
    : ILogEventSink, IDisposable, IAsyncDisposable, ISetLoggingFailureListener
{
    public void Emit(LogEvent logEvent)
    {
        if (state.IsShuttingDown)
        {
            metrics.Dropped(sink, LogShippingMetrics.DropReason.Shutdown);
            return;
        }

        if (!state.TryEnqueue(limit))
        {
            metrics.Dropped(sink, LogShippingMetrics.DropReason.QueueFull);
            return;
        }

        batching.Emit(logEvent);
    }

    public void Dispose()
    {
        state.BeginShutdown();
        (batching as IDisposable)?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        state.BeginShutdown();
        if (batching is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            (batching as IDisposable)?.Dispose();
        }
    }

    public void SetFailureListener(ILoggingFailureListener failureListener) =>
        (batching as ISetLoggingFailureListener)?.SetFailureListener(failureListener);
}
