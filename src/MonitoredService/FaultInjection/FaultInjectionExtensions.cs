using MonitoredService.Observability.Settings;

namespace MonitoredService.FaultInjection;

public static class FaultInjectionExtensions
{
    public static IHostApplicationBuilder AddFaultInjection(this IHostApplicationBuilder builder)
    {
        SettingsCache.Of(builder).Get<FaultInjectionOptions>(); // bound, validated and served as IOptions; the middleware reads it
        return builder;
    }

    /// <summary>After UseObservability, so that injected errors and latency are observed like real ones.</summary>
    public static IApplicationBuilder UseFaultInjection(this IApplicationBuilder app) =>
        app.UseMiddleware<FaultInjectionMiddleware>();
}
