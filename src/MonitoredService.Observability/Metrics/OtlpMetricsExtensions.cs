using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitoredService.Observability.Settings;
using OpenTelemetry.Metrics;

namespace MonitoredService.Observability.Metrics;

internal static class OtlpMetricsExtensions
{
    /// <summary>ASP.NET Core's own HTTP server meter: <c>http.server.request.duration</c> by route, method and status.</summary>
    public const string AspNetCoreHosting = "Microsoft.AspNetCore.Hosting";

    /// <summary>
    /// Metrics over OTLP when <see cref="OtlpMetricsOptions.Exports"/>: the runtime's and Kestrel's
    /// meters, ASP.NET Core's HTTP server meter, and the meters the host adds (its domain, with
    /// <c>ConfigureOpenTelemetryMeterProvider(m =&gt; m.AddMeter(...))</c>). The HTTP metrics are not
    /// bridged from prometheus-net: the framework records them on its own meter already, under the
    /// semantic conventions' names that OTLP backends (the Aspire dashboard among them) expect, so
    /// nothing is recorded twice; /metrics keeps prometheus-net's names. Export runs on the SDK's
    /// periodic reader, off the request path; a failed export is counted (<c>monitoredservice_metric_exports_failed_total</c>).
    /// </summary>
    public static IHostApplicationBuilder AddOtlpMetrics(this IHostApplicationBuilder builder, SettingsCache settings)
    {
        if (!settings.Get<OtlpMetricsOptions>().Exports)
        {
            return builder;
        }

        builder.AddOpenTelemetryFor(settings.Identity)
            .WithMetrics(metrics => metrics
                .AddMeter(RuntimeInstruments.Runtime, RuntimeInstruments.Kestrel, AspNetCoreHosting)
                .AddOtlpExporter((exporter, reader) => OpenTelemetryResource.DefaultToHttpProtobuf(exporter, builder.Configuration, "METRICS")));
        return builder;
    }
}
