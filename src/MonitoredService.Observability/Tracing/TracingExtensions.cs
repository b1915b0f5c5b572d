using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MonitoredService.Observability.Http;
using MonitoredService.Observability.Settings;
using OpenTelemetry.Trace;

namespace MonitoredService.Observability.Tracing;

public static class TracingExtensions
{
    /// <summary>
    /// OpenTelemetry tracing, exported over OTLP (Jaeger ingests it natively) when
    /// <see cref="TracingOptions.Exports"/>; otherwise nothing is recorded, exported or complained
    /// about, and trace context still propagates. Probes and scrapes are not traced
    /// (<see cref="UseRequestTracing"/>). Export runs on a background batch with a bounded queue: a
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

        builder.AddOpenTelemetryFor(settings.Identity)
            .WithTracing(tracing => tracing
                .SetSampler(SamplerSettings.Create(options))
                .AddAspNetCoreInstrumentation(aspNetCore =>
                {
                    aspNetCore.RecordException = false; // recorded redacted by the error handling (ActivityExceptions)
                    aspNetCore.EnrichWithHttpResponse = EnrichWithRequestFacts;
                })
                .AddHttpClientInstrumentation(httpClient => httpClient.RecordException = false)
                .AddProcessor(new RedactingActivityProcessor())
                .AddOtlpExporter(exporter => OpenTelemetryResource.DefaultToHttpProtobuf(exporter, builder.Configuration, "TRACES")));
        return builder;
    }

    /// <summary>The W3C <c>traceresponse</c> header on every response.</summary>
    public static IApplicationBuilder UseTraceResponse(this IApplicationBuilder app) => app.Use(TraceResponseMiddleware.InvokeAsync);

    /// <summary>
    /// After the request facts are captured: probes and scrapes are not traced. Their span is
    /// unmarked before the response starts, so that the <c>traceresponse</c> header says so too.
    /// </summary>
    public static IApplicationBuilder UseRequestTracing(this IApplicationBuilder app) =>
        app.Use(next => // built at start, once the settings are validated
            app.ApplicationServices.GetRequiredService<IOptions<TracingOptions>>().Value.Exports
                ? context =>
                {
                    if (RequestFacts.Of(context).Kind != RequestKind.Api && Activity.Current is { IsAllDataRequested: true } activity)
                    {
                        activity.IsAllDataRequested = false;
                        activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
                    }

                    return next(context);
                }
                : next);

    /// <summary>
    /// The span gets the route template the metrics and logs use: captured before the exception
    /// handler clears the endpoint, and without the trailing slash of a route group's root.
    /// </summary>
    private static void EnrichWithRequestFacts(Activity activity, HttpResponse response)
    {
        var facts = RequestFacts.Of(response.HttpContext);
        if (facts.Route.Length > 0)
        {
            activity.SetTag("http.route", facts.Route);
            activity.DisplayName = $"{(facts.Method == RequestFacts.OtherMethod ? "HTTP" : facts.Method)} {facts.Route}";
        }
    }
}
