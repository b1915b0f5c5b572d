using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MonitoredService.Observability.Startup;

/// <summary>
/// Runs the start-up tasks once the host has started, retrying each with capped exponential
/// back-off: a dependency that is not there yet (a database still starting) is waited for, and
/// the Kubernetes startup probe's budget decides when to give up and restart the pod.
/// </summary>
internal sealed partial class StartupTaskRunner(
    IEnumerable<IStartupTask> tasks,
    StartupState state,
    TimeProvider time,
    ILogger<StartupTaskRunner> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the server start listening first: probes must see 503, not a refused connection.
        await Task.Yield();
        var started = time.GetTimestamp();
        foreach (var task in tasks)
        {
            await RunWithRetriesAsync(task, stoppingToken);
        }

        state.Complete();
        LogComplete(logger, time.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task RunWithRetriesAsync(IStartupTask task, CancellationToken stoppingToken)
    {
        state.Begin(task.Name);
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await task.RunAsync(stoppingToken);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                state.RecordFailure();
                LogRetry(logger, ex, task.Name, attempt, delay.TotalSeconds);
            }

            await Task.Delay(delay, time, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Start-up complete after {ElapsedMilliseconds:0} ms; the instance is ready for traffic")]
    private static partial void LogComplete(ILogger logger, double elapsedMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Start-up task {StartupTask} failed (attempt {Attempt}); retrying in {RetryDelaySeconds} s")]
    private static partial void LogRetry(ILogger logger, Exception exception, string startupTask, int attempt, double retryDelaySeconds);
}
