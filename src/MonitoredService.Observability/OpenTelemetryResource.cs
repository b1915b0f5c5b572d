using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;

namespace MonitoredService.Observability;

/// <summary>The OpenTelemetry SDK of a host, with the service's resource, set once for every signal it exports.</summary>
internal static class OpenTelemetryResource
{
    /// <summary>
    /// The host's OpenTelemetry builder; the first call sets the resource (service name, version and
    /// instance, the deployment environment; <c>OTEL_RESOURCE_ATTRIBUTES</c> on top, read by the SDK).
    /// </summary>
    public static OpenTelemetryBuilder AddOpenTelemetryFor(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        var openTelemetry = builder.Services.AddOpenTelemetry();
        if (builder.Properties.TryAdd(typeof(OpenTelemetryResource), true))
        {
            openTelemetry.ConfigureResource(resource => resource
                .AddService(identity.Name, serviceVersion: identity.Version, serviceInstanceId: identity.InstanceId)
                .AddAttributes([new("deployment.environment.name", identity.Environment)]));
        }

        return openTelemetry;
    }

    /// <summary>
    /// The specification's default protocol, <c>http/protobuf</c>, where no protocol variable is set
    /// (the .NET SDK would otherwise use gRPC): then one endpoint variable points every signal at a
    /// collector's OTLP/HTTP port. A protocol that is set, for the signal or for all, is the SDK's to read.
    /// </summary>
    public static void DefaultToHttpProtobuf(OtlpExporterOptions exporter, IConfiguration configuration, string signal)
    {
        if (string.IsNullOrWhiteSpace(configuration[$"OTEL_EXPORTER_OTLP_{signal}_PROTOCOL"])
            && string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]))
        {
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
        }
    }
}
