using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MonitoredService.Observability.Logging;
using MonitoredService.Observability.Metrics;
using Prometheus;

namespace MonitoredService.Observability.Management;

/// <summary>
/// The management listener on <see cref="MetricsOptions.Port"/>: <c>/metrics</c> (unless metrics are
/// off), <c>/info</c> and <c>/loggers</c>. A server of its own, not an endpoint of the application's:
/// nothing of the application's pipeline (authentication, limits, request metrics and logs) runs
/// here, and nothing of this listener is reachable on the application port, whatever its Host
/// header says. In the shipped manifests a NetworkPolicy opens the port to the monitoring namespace
/// only. It keeps serving through the shutdown drain, like the application port. A port that cannot
/// be bound stops the host at start.
/// </summary>
internal sealed class ManagementListener(IServiceProvider services, MetricsOptions options) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Built outside the caller's execution context: a test host (WebApplicationFactory) applies its
        // configuration (a test server instead of Kestrel, the tests' services) to every host built in
        // its entry point's context for as long as it listens, and this one must stay a plain server.
        Task<WebApplication> building;
        using (ExecutionContext.SuppressFlow())
        {
            building = Task.Run(Build, cancellationToken);
        }

        _app = await building;
        await _app.StartAsync(cancellationToken);
    }

    private WebApplication Build()
    {
        // Empty: none of the host's configuration (URLs, Kestrel endpoints) applies to this server.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            switch (options.Host)
            {
                case "+" or "*" or "0.0.0.0":
                    kestrel.ListenAnyIP(options.Port!.Value);
                    break;
                case "localhost":
                    kestrel.ListenLocalhost(options.Port!.Value);
                    break;
                default:
                    kestrel.Listen(
                        IPAddress.TryParse(options.Host, out var address)
                            ? address
                            : throw new InvalidOperationException($"{MetricsOptions.SectionName}:Host: '{options.Host}' is not an IP address, '+' or 'localhost'."),
                        options.Port!.Value);
                    break;
            }
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(services.GetRequiredService<ILoggerFactory>()); // Kestrel's own events, in the service's log
        var app = builder.Build();
        if (options.Enabled)
        {
            app.MapMetrics(MetricsExtensions.Path, services.GetRequiredService<CollectorRegistry>());
        }

        app.MapInfo(services.GetRequiredService<ServiceIdentity>(), services.GetRequiredService<TimeProvider>());
        app.MapLoggersApi(services.GetRequiredService<LogLevels>(), services.GetRequiredService<LogLevelOverrides>());
        return app;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
