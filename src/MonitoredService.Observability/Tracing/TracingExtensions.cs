using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MonitoredService.Observability.Health;
using MonitoredService.Observability.Http;
using MonitoredService.Observability.Options;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MonitoredService.Observability.Tracing;

public static class TracingExtensions
{
    /// <summary>
    /// OpenTelemetry tracing, exported over OTLP (Jaeger ingests it natively) when an endpoint is
    /// configured and tracing is on; otherwise nothing is recorded, exported or complained about,
    /// and trace context still propagates. Probes and scrapes are not traced. Export runs on a
    /// background batch with a bounded queue: a dead collector never slows a request, the provider
    /// waits at most 5 s for it at shutdown, and what is lost is counted (<see cref="TraceExportMetrics"/>).
    /// </summary>
    public static IHostApplicationBuilder AddTracing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<TracingOptions>();
        builder.Services.AddSingleton<IValidateOptions<TracingOptions>, SamplerSettingsValidator>();
        var exports = builder.Configuration.ReadOrDefaults<TracingOptions>().Enabled
            && (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
                || !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]));
        builder.Services.AddSingleton(services => new TraceExportMetrics(services.GetRequiredService<Prometheus.IMetricFactory>()) { Listening = exports });
        builder.Services.AddHostedService(services => services.GetRequiredService<TraceExportMetrics>());
        if (!exports)
        {
            builder.Services.AddHostedService<TraceContextPropagation>();
            return builder;
        }

        var identity = ServiceIdentity.Of(builder);
        builder.Services.AddExceptionHandler<ExceptionTraceRecorder>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(identity.Name, serviceVersion: identity.Version, serviceInstanceId: identity.InstanceId)
                .AddAttributes([new("deployment.environment.name", identity.Environment)]))
            .WithTracing(tracing => tracing
                .SetSampler(SamplerSettings.CreateOrDefault(builder.Configuration))
                .AddAspNetCoreInstrumentation(aspNetCore =>
                {
                    aspNetCore.Filter = context => !IsProbeOrScrape(context.Request.Path);
                    aspNetCore.RecordException = false; // recorded redacted by ActivityExceptions
                    aspNetCore.EnrichWithHttpResponse = UseRequestLabels;
                })
                .AddHttpClientInstrumentation(httpClient => httpClient.RecordException = false)
                .AddProcessor(new RedactingActivityProcessor())
                .AddOtlpExporter());
        return builder;
    }

    /// <summary>The W3C <c>traceresponse</c> header on every response.</summary>
    public static IApplicationBuilder UseTraceResponse(this IApplicationBuilder app) => app.Use(TraceResponseMiddleware.InvokeAsync);

    /// <summary>
    /// The span gets the route template the metrics and logs use: captured before the exception
    /// handler clears the endpoint, and without the trailing slash of a route group's root.
    /// </summary>
    private static void UseRequestLabels(Activity activity, HttpResponse response)
    {
        var route = RequestLabels.Of(response.HttpContext).Route;
        if (route.Length > 0)
        {
            var method = response.HttpContext.Request.Method;
            activity.SetTag("http.route", route);
            activity.DisplayName = $"{(method == RequestLabels.OtherMethod ? "HTTP" : method)} {route}";
        }
    }

    private static bool IsProbeOrScrape(PathString path) =>
        path.StartsWithSegments(HealthPaths.Prefix) || path.StartsWithSegments(Metrics.MetricsExtensions.Path);
}
