using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitoredService.Observability.Http;
using MonitoredService.Observability.Settings;
using OpenTelemetry.Trace;

namespace MonitoredService.Observability.Tracing;

internal static class TracingExtensions
{
    /// <summary>
    /// OpenTelemetry tracing, exported over OTLP (Jaeger ingests it natively) when
    /// <see cref="TracingOptions.Exports"/>; otherwise nothing is recorded, exported or complained
    /// about, and trace context still propagates. Probes and scrapes are not traced
    /// (<see cref="ServerSpan"/>). Export runs on a background batch with a bounded queue: a
    /// dead collector never slows a request, the provider waits at most 5 s for it at shutdown, and
    /// what is lost is counted (<see cref="TraceExportMetrics"/>).
    /// </summary>
    public static IHostApplicationBuilder AddTracing(this IHostApplicationBuilder builder, SettingsCache settings)
    {
        var options = settings.Get<TracingOptions>();
        var metricsExport = settings.Get<Metrics.OtlpMetricsOptions>().Exports;
        builder.Services.AddSingleton(services => new TraceExportMetrics(services.GetRequiredService<Prometheus.IMetricFactory>())
        {
            Listening = options.Exports,
            ListeningToMetrics = metricsExport,
        });
        builder.Services.AddHostedService(services => services.GetRequiredService<TraceExportMetrics>());
        if (!options.Exports)
        {
            builder.Services.AddHostedService<TraceContextPropagation>();
            return builder;
        }

        AppContext.SetSwitch(ServerSpan.SuppressFrameworkTagsSwitch, true); // read when the host builds its hosting diagnostics
        builder.AddOpenTelemetryFor(settings.Identity)
            .WithTracing(tracing => tracing
                .SetSampler(SamplerSettings.Create(options))
                .AddSource(ServerSpan.SourceName) // the framework's request activity, tagged by ServerSpan
                .AddHttpClientInstrumentation(httpClient => httpClient.RecordException = false)
                .AddProcessor(new RedactingActivityProcessor())
                .AddOtlpExporter(exporter => OpenTelemetryResource.DefaultToHttpProtobuf(exporter, builder.Configuration, "TRACES")));
        builder.Services.AddSingleton<IRequestObserver, ServerSpan>(); // UseRequestObservation: names and tags the request span, leaves probes out
        return builder;
    }

    /// <summary>The W3C <c>traceresponse</c> header on every response.</summary>
    public static IApplicationBuilder UseTraceResponse(this IApplicationBuilder app) => app.Use(TraceResponseMiddleware.InvokeAsync);
}
