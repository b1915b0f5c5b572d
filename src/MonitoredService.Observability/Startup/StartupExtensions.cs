using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MonitoredService.Observability.Startup;

/// <summary>Registration of start-up work (<see cref="IStartupTask"/>).</summary>
public static class StartupExtensions
{
    /// <summary>
    /// The start-up gate: the registered <see cref="IStartupTask"/>s run once the server listens, and
    /// <see cref="StartupState"/> says when they are done (the health room's start-up check reads it).
    /// </summary>
    internal static IHostApplicationBuilder AddStartupGate(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StartupState>();
        builder.Services.AddHostedService<StartupTaskRunner>();
        return builder;
    }

    /// <summary>Adds work that must finish before the instance is ready; tasks run in the order added.</summary>
    public static IServiceCollection AddStartupTask<TTask>(this IServiceCollection services)
        where TTask : class, IStartupTask =>
        services.AddSingleton<IStartupTask, TTask>();
}
