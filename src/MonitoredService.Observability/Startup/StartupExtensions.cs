using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitoredService.Observability.Health;

namespace MonitoredService.Observability.Startup;

public static class StartupExtensions
{
    /// <summary>The start-up gate: /health/startup (and /health/ready) stay 503 until start-up tasks finish.</summary>
    public static IHostApplicationBuilder AddStartupGate(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StartupState>();
        builder.Services.AddHostedService<StartupTaskRunner>();
        builder.Services.AddHealthChecks()
            .AddCheck<StartupHealthCheck>("startup", tags: [HealthTags.Startup, HealthTags.Ready]);
        return builder;
    }

    /// <summary>Adds work that must finish before the instance is ready; tasks run in the order added.</summary>
    public static IServiceCollection AddStartupTask<TTask>(this IServiceCollection services)
        where TTask : class, IStartupTask =>
        services.AddSingleton<IStartupTask, TTask>();
}
