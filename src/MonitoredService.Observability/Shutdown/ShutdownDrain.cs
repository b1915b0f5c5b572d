using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MonitoredService.Observability.Shutdown;

/// <summary>
/// Turns readiness off as soon as the host is asked to stop (SIGTERM calls StopApplication, which
/// fires ApplicationStopping at once), then holds the host in its Stopping phase for the drain delay.
/// The server stops accepting only in the next phase (StopAsync), so requests keep being served
/// while endpoints and load balancers catch up with the failing readiness probe.
/// </summary>
internal sealed partial class ShutdownDrain(
    ShutdownState state,
    IHostApplicationLifetime lifetime,
    IOptions<ShutdownOptions> options,
    TimeProvider time,
    ILogger<ShutdownDrain> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(state.Begin);
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        state.Begin();
        var drainDelay = options.Value.DrainDelay;
        LogDraining(logger, drainDelay.TotalSeconds);
        try
        {
            await Task.Delay(drainDelay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogDrainCutShort(logger);
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        LogStopped(logger);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutdown requested: readiness is failing; serving for {DrainDelaySeconds} s before the server stops accepting")]
    private static partial void LogDraining(ILogger logger, double drainDelaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown drain cut short by the host's shutdown timeout")]
    private static partial void LogDrainCutShort(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server stopped")]
    private static partial void LogStopped(ILogger logger);
}
