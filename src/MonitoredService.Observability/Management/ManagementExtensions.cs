using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitoredService.Observability.Metrics;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Observability.Management;

internal static class ManagementExtensions
{
    /// <summary>
    /// The management listener (<c>/metrics</c>, <c>/info</c>, <c>/loggers</c>) when
    /// <c>Observability:Metrics:Port</c> is set. Without it, <c>/metrics</c> is served on the
    /// application port and <c>/info</c> and <c>/loggers</c> nowhere: they are never served on the
    /// application port.
    /// </summary>
    public static IHostApplicationBuilder AddManagementListener(this IHostApplicationBuilder builder, SettingsCache settings)
    {
        var options = settings.Get<MetricsOptions>();
        if (options.Port is not null)
        {
            builder.Services.AddHostedService(services => new ManagementListener(services, options));
        }

        return builder;
    }
}
