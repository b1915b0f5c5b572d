using HealthChecks.UI.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MonitoredService.Observability.Http;
using MonitoredService.Observability.Metrics;
using MonitoredService.Observability.Settings;
using MonitoredService.Observability.Startup;

namespace MonitoredService.Observability.Health;

/// <summary>Readiness checks of a host's dependencies (<see cref="AddDependencyCheck"/>).</summary>
public static class HealthExtensions
{
    private static readonly string[] ProbeMethods = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>
    /// The checks every service has, selected per probe by tag: <c>self</c> (live), <c>startup</c>
    /// (startup and ready: the start-up gate's state) and <c>shutdown</c> (ready: the drain's state).
    /// With metrics on, every check also runs in the background and is published as gauges.
    /// </summary>
    internal static IHostApplicationBuilder AddHealthProbes(this IHostApplicationBuilder builder, SettingsCache settings)
    {
        var health = settings.Get<HealthOptions>();
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy("The process is serving requests."), [HealthTags.Live])
            .AddCheck<StartupHealthCheck>("startup", tags: [HealthTags.Startup, HealthTags.Ready])
            .AddCheck<ShutdownHealthCheck>("shutdown", tags: [HealthTags.Ready]);
        if (settings.Get<MetricsOptions>().Enabled)
        {
            builder.Services.AddSingleton<IHealthCheckPublisher, HealthMetricsPublisher>();
            builder.Services.Configure<HealthCheckPublisherOptions>(publisher =>
            {
                publisher.Delay = TimeSpan.Zero;
                publisher.Period = health.PublishPeriod;
            });
        }

        return builder;
    }

    /// <summary>
    /// Adds the readiness check of an external dependency, with its own timeout and a short
    /// result cache shared by concurrent probes (<see cref="HealthOptions"/>).
    /// </summary>
    public static IHealthChecksBuilder AddDependencyCheck<TCheck>(this IHealthChecksBuilder builder, string name)
        where TCheck : class, IHealthCheck
    {
        builder.Services.AddKeyedSingleton(name, (services, _) => new DependencyHealthCheck(
            ActivatorUtilities.CreateInstance<TCheck>(services),
            services.GetRequiredService<StartupState>(),
            services.GetRequiredService<IOptions<HealthOptions>>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<DependencyHealthCheck>>()));
        return builder.Add(new HealthCheckRegistration(
            name,
            services => services.GetRequiredKeyedService<DependencyHealthCheck>(name),
            HealthStatus.Unhealthy,
            [HealthTags.Ready]));
    }

    /// <summary>Maps /health/live, /health/ready and /health/startup for GET and HEAD.</summary>
    internal static IEndpointRouteBuilder MapHealthProbes(this IEndpointRouteBuilder endpoints)
    {
        MapProbe(endpoints, HealthPaths.Live, HealthTags.Live);
        MapProbe(endpoints, HealthPaths.Ready, HealthTags.Ready);
        MapProbe(endpoints, HealthPaths.Startup, HealthTags.Startup);
        return endpoints;
    }

    private static void MapProbe(IEndpointRouteBuilder endpoints, string path, string tag) =>
        endpoints.MapHealthChecks(path, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(tag),
            // HEAD gets the status code only, whatever the server does with a body written to it.
            ResponseWriter = (context, report) => HttpMethods.IsHead(context.Request.Method)
                ? Task.CompletedTask
                : UIResponseWriter.WriteHealthCheckUIResponse(context, report.WithoutExceptions()),
        })
        .WithMetadata(new HttpMethodMetadata(ProbeMethods))
        .WithRequestKind(RequestKind.Probe)
        .WithDisplayName($"Health probe {path}");
}
