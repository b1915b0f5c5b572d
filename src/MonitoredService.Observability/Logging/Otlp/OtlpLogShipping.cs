using Serilog;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.OpenTelemetry;

namespace MonitoredService.Observability.Logging.Otlp;

/// <summary>
/// Adds Serilog's OpenTelemetry sink when <see cref="OtlpLogOptions.Exports"/>: every event as an
/// OTLP log record (<see cref="EcsLogEvents"/>), with the service's resource, its trace and span ids,
/// in batches over HTTP/protobuf. In front, the same bounded, counted queue as the Elasticsearch
/// sink's (a dead or hung collector never slows a request: beyond the queue, events are dropped and
/// counted); beneath, <see cref="OtlpExportHandler"/> counts each record shipped or dropped.
/// </summary>
internal static class OtlpLogShipping
{
    public static void WriteTo(LoggerSinkConfiguration writeTo, OtlpLogOptions options, ServiceIdentity identity, LogShippingMetrics metrics, TimeProvider time)
    {
        if (!options.Exports)
        {
            return;
        }

        metrics.Declare(OtlpExportHandler.Sink,
            LogShippingMetrics.DropReason.QueueFull, LogShippingMetrics.DropReason.Rejected,
            OtlpExportHandler.ExportFailed, LogShippingMetrics.DropReason.Shutdown);
        var state = new ShippingState(options.ShutdownTimeout, time);
        writeTo.Sink(LoggerSinkConfiguration.Wrap(
            sink => new ShippingQueue(new Mapping(sink), state, metrics, options.QueueLimit, OtlpExportHandler.Sink),
            wrapped => wrapped.OpenTelemetry(sink =>
            {
                sink.LogsEndpoint = options.ResolvedEndpoint.ToString();
                sink.Protocol = OtlpProtocol.HttpProtobuf;
                sink.HttpMessageHandler = new OtlpExportHandler(metrics, state, options.ResolvedTimeout);
                sink.OnBeginSuppressInstrumentation = OpenTelemetry.SuppressInstrumentationScope.Begin; // an export is not a traced HTTP call
                foreach (var (name, value) in ServiceIdentity.ParseResourceAttributes(options.ResolvedHeaders))
                {
                    sink.Headers[name] = value;
                }

                sink.ResourceAttributes["service.name"] = identity.Name;
                sink.ResourceAttributes["service.version"] = identity.Version;
                sink.ResourceAttributes["service.instance.id"] = identity.InstanceId;
                sink.ResourceAttributes["deployment.environment.name"] = identity.Environment;
                sink.IncludedData = IncludedData.TraceIdField | IncludedData.SpanIdField | IncludedData.SpecRequiredResourceAttributes;
                sink.BatchingOptions.BatchSizeLimit = options.BatchSize;
                sink.BatchingOptions.BufferingTimeLimit = options.Period;
                sink.BatchingOptions.QueueLimit = null; // bounded and counted by ShippingQueue instead
                sink.BatchingOptions.RetryTimeLimit = TimeSpan.Zero; // the handler decides each batch's fate once
            }, ignoreEnvironment: true))); // read once, here, from configuration (OtlpLogOptions)
    }

    /// <summary>The ECS mapping and redaction, between the queue and the sink.</summary>
    private sealed class Mapping(ILogEventSink sink) : ILogEventSink, IDisposable, IAsyncDisposable
    {
        public void Emit(LogEvent logEvent) => sink.Emit(EcsLogEvents.Map(logEvent));

        public void Dispose() => (sink as IDisposable)?.Dispose();

        public async ValueTask DisposeAsync()
        {
            if (sink is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                (sink as IDisposable)?.Dispose();
            }
        }
    }
}
