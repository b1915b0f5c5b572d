using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Observability.Shutdown;

internal static class ShutdownExtensions
{
    /// <summary>
    /// Graceful shutdown: <see cref="ShutdownState"/> is set at once (readiness reads it), a drain
    /// delay, then the server stops accepting and in-flight requests finish. The host's shutdown
    /// timeout is DrainDelay + Timeout: the host reads it while it is built, hence from the cache.
    /// </summary>
    public static IHostApplicationBuilder AddGracefulShutdown(this IHostApplicationBuilder builder, SettingsCache settings)
    {
        var shutdown = settings.Get<ShutdownOptions>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = shutdown.DrainDelay + shutdown.Timeout);
        builder.Services.AddSingleton<ShutdownState>();
        builder.Services.AddHostedService<ShutdownDrain>();
        return builder;
    }
}
