using MonitoredService.Observability.Options;

namespace MonitoredService.FaultInjection;

public static class FaultInjectionExtensions
{
    public static IHostApplicationBuilder AddFaultInjection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<FaultInjectionOptions>();
        return builder;
    }

    /// <summary>Place after the request metrics, so that injected errors and latency are measured like real ones.</summary>
    public static IApplicationBuilder UseFaultInjection(this IApplicationBuilder app) =>
        app.UseMiddleware<FaultInjectionMiddleware>();
}
