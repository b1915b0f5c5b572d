using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MonitoredService.Testing;

/// <summary>
/// An in-process OTLP/HTTP trace receiver (<c>POST /v1/traces</c>, protobuf), standing in for Jaeger's
/// OTLP endpoint: it keeps the raw payloads and decodes the spans. No Jaeger runs here.
/// </summary>
public sealed class FakeOtlpCollector : LoopbackServer
{
    private readonly ConcurrentQueue<byte[]> _payloads = new();

    /// <summary>Accept requests and never answer.</summary>
    public bool Hang { get; set; }

    /// <summary>Answer every request this late (a slow collector).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The status of every answer (200; 429 for an overloaded collector).</summary>
    public int Status { get; set; } = 200;

    public IReadOnlyList<byte[]> Payloads => _payloads.ToArray();

    public IReadOnlyList<OtlpSpan> Spans => Payloads.SelectMany(OtlpTraceDecoder.Decode).ToArray();

    /// <summary>Waits until a span matching <paramref name="match"/> arrives (bounded).</summary>
    public Task<OtlpSpan> WaitForSpanAsync(Func<OtlpSpan, bool> match) =>
        Eventually.UntilAsync(() => Spans.FirstOrDefault(match), "a matching span should arrive");

    protected override void Map(WebApplication app) => app.MapPost("/v1/traces", async context =>
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        _payloads.Enqueue(buffer.ToArray());
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }

        await Task.Delay(Delay, context.RequestAborted);
        context.Response.StatusCode = Status;
        context.Response.ContentType = "application/x-protobuf";
    });
}
