using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MonitoredService.Testing;

/// <summary>
/// An in-process OTLP/HTTP receiver (<c>POST /v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c>,
/// protobuf), standing in for Jaeger's OTLP endpoint, an OpenTelemetry Collector or the Aspire
/// dashboard: it keeps the raw payloads and decodes spans, log records and metrics. None of those runs here.
/// </summary>
public sealed class FakeOtlpCollector : LoopbackServer
{
    private readonly ConcurrentQueue<byte[]> _payloads = new();
    private readonly ConcurrentQueue<byte[]> _logPayloads = new();
    private readonly ConcurrentQueue<byte[]> _metricPayloads = new();

    /// <summary>Accept requests and never answer.</summary>
    public bool Hang { get; set; }

    /// <summary>Answer every request this late (a slow collector).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The status of every answer (200; 429 for an overloaded collector).</summary>
    public int Status { get; set; } = 200;

    public IReadOnlyList<byte[]> Payloads => _payloads.ToArray();

    public IReadOnlyList<OtlpSpan> Spans => Payloads.SelectMany(OtlpTraceDecoder.Decode).ToArray();

    public IReadOnlyList<byte[]> LogPayloads => _logPayloads.ToArray();

    public IReadOnlyList<OtlpLogRecord> LogRecords => LogPayloads.SelectMany(OtlpLogDecoder.Decode).ToArray();

    public IReadOnlyList<byte[]> MetricPayloads => _metricPayloads.ToArray();

    public IReadOnlyList<OtlpMetric> Metrics => MetricPayloads.SelectMany(OtlpMetricDecoder.Decode).ToArray();

    public Task<OtlpLogRecord> WaitForLogRecordAsync(Func<OtlpLogRecord, bool> match) =>
        Eventually.UntilAsync(() => LogRecords.FirstOrDefault(match), "a matching log record should arrive");

    public Task<OtlpMetric> WaitForMetricAsync(Func<OtlpMetric, bool> match) =>
        Eventually.UntilAsync(() => Metrics.FirstOrDefault(match), "a matching metric should arrive");

    /// <summary>Waits until a span matching <paramref name="match"/> arrives (bounded).</summary>
    public Task<OtlpSpan> WaitForSpanAsync(Func<OtlpSpan, bool> match) =>
        Eventually.UntilAsync(() => Spans.FirstOrDefault(match), "a matching span should arrive");

    protected override void Map(WebApplication app)
    {
        app.MapPost("/v1/traces", context => ReceiveAsync(context, _payloads));
        app.MapPost("/v1/logs", context => ReceiveAsync(context, _logPayloads));
        app.MapPost("/v1/metrics", context => ReceiveAsync(context, _metricPayloads));
    }

    private async Task ReceiveAsync(HttpContext context, ConcurrentQueue<byte[]> into)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        into.Enqueue(buffer.ToArray());
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }

        await Task.Delay(Delay, context.RequestAborted);
        context.Response.StatusCode = Status;
        context.Response.ContentType = "application/x-protobuf";
    }
}
