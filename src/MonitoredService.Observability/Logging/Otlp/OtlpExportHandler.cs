using System.Net;

namespace MonitoredService.Observability.Logging.Otlp;

/// <summary>
/// Beneath the OpenTelemetry sink's HTTP client: the outcome of every export, counted per log record.
/// Each request is one batch (an <c>ExportLogsServiceRequest</c>); its records are counted from the
/// protobuf itself. Delivered (2xx): shipped. Anything else (an error answer, no answer within the
/// timeout, the collector unreachable, or the shutdown budget spent): dropped with its reason, and
/// the sink is told it succeeded, so that it never retries a batch already counted as lost. One
/// attempt per batch, then, and every record either shipped or dropped, counted once.
/// </summary>
internal sealed class OtlpExportHandler(LogShippingMetrics metrics, ShippingState state, TimeSpan timeout)
    : DelegatingHandler(new SocketsHttpHandler { ActivityHeadersPropagator = null, ConnectTimeout = timeout })
{
    public const string Sink = "otlp";

    /// <summary>The collector answered an error (4xx, 5xx, 429) or none within the timeout, or was unreachable.</summary>
    public const string ExportFailed = "export_failed";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var records = request.Content is null ? 0 : OtlpLogRecords.Count(await request.Content.ReadAsByteArrayAsync(cancellationToken));
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, state.DeadlinePassed);
        bounded.CancelAfter(timeout);
        string? reason = null;
        try
        {
            using var response = await base.SendAsync(request, bounded.Token);
            if (response.IsSuccessStatusCode)
            {
                metrics.Shipped(Sink, records);
                return Accepted(request);
            }

            reason = LogShippingMetrics.DropReason.Rejected;
            reason = (int)response.StatusCode is 408 or 429 or >= 500 ? ExportFailed : reason;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            reason = state.DeadlinePassed.IsCancellationRequested ? LogShippingMetrics.DropReason.Shutdown : ExportFailed;
        }
        finally
        {
            state.Dequeued(records);
            metrics.Queued(Sink, state.Queued);
        }

        metrics.Dropped(Sink, reason, records);
        return Accepted(request);
    }

    private static HttpResponseMessage Accepted(HttpRequestMessage request) =>
        new(HttpStatusCode.OK) { RequestMessage = request, Content = new ByteArrayContent([]) };
}
