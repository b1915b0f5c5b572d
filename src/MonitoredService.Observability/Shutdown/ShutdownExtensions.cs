using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MonitoredService.Observability.Health;
using MonitoredService.Observability.Options;

namespace MonitoredService.Observability.Shutdown;

public static class ShutdownExtensions
{
    /// <summary>
    /// Graceful shutdown: readiness 503 at once, a drain delay, then the server stops accepting and
    /// in-flight requests finish. The host's shutdown timeout is set to DrainDelay + Timeout.
    /// </summary>
    public static IHostApplicationBuilder AddGracefulShutdown(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ShutdownOptions>();
        builder.Services.AddSingleton<IConfigureOptions<HostOptions>, HostShutdownTimeoutSetup>();
        builder.Services.AddSingleton<ShutdownState>();
        builder.Services.AddHostedService<ShutdownDrain>();
        builder.Services.AddHealthChecks()
            .AddCheck<ShutdownHealthCheck>("shutdown", tags: [HealthTags.Ready]);
        return builder;
    }
}
