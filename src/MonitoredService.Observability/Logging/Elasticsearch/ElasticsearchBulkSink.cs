using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenTelemetry;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace MonitoredService.Observability.Logging.Elasticsearch;

/// <summary>
/// Sends batches of ECS documents to <c>POST {url}/{data stream}/_bulk</c> (one <c>create</c> action
/// per document, as data streams require) and reads the answer item by item: accepted items are
/// shipped, items refused with 429 or 5xx (and whole requests that fail, time out or are refused)
/// are retried with doubling back-off, other refusals are dropped. Every drop is counted by reason.
/// Runs on Serilog's batching thread: a slow or dead Elasticsearch never touches a request.
/// </summary>
internal sealed class ElasticsearchBulkSink(
    HttpClient http,
    ElasticsearchOptions options,
    ITextFormatter formatter,
    ShippingState state,
    LogShippingMetrics metrics,
    TimeProvider time) : IBatchedLogEventSink, IDisposable
{
    private const string Sink = LogShippingMetrics.Elasticsearch;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly Uri _bulk = new($"{options.Url!.TrimEnd('/')}/{options.DataStream}/_bulk");

    public async Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        var pending = batch.Select(Document).ToList();
        try
        {
            var delay = options.FirstRetryDelay;
            for (var attempt = 1; pending.Count > 0; attempt++)
            {
                if (state.IsShuttingDown && state.Remaining <= TimeSpan.Zero)
                {
                    metrics.Dropped(Sink, LogShippingMetrics.DropReason.Shutdown, pending.Count);
                    break;
                }

                pending = await SendAsync(pending);
                if (pending.Count > 0 && attempt >= options.MaxAttempts)
                {
                    metrics.Dropped(Sink, LogShippingMetrics.DropReason.RetriesExhausted, pending.Count);
                    break;
                }

                if (pending.Count > 0)
                {
                    await BackOffAsync(delay);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                }
            }
        }
        finally
        {
            state.Dequeued(batch.Count);
            metrics.Queued(Sink, state.Queued);
        }
    }

    public Task OnEmptyBatchAsync()
    {
        metrics.Queued(Sink, state.Queued);
        return Task.CompletedTask;
    }

    public void Dispose() => http.Dispose();

    /// <summary>One request; returns the documents to try again.</summary>
    private async Task<List<string>> SendAsync(List<string> documents)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(state.DeadlinePassed);
        cancel.CancelAfter(options.RequestTimeout);
        using var untraced = SuppressInstrumentationScope.Begin(); // shipping logs is not the service's work
        try
        {
            using var content = new StringContent(Body(documents), Encoding.UTF8, "application/x-ndjson");
            using var response = await http.PostAsync(_bulk, content, cancel.Token);
            if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
            {
                return documents;
            }

            if (!response.IsSuccessStatusCode)
            {
                metrics.Dropped(Sink, LogShippingMetrics.DropReason.Rejected, documents.Count);
                return [];
            }

            return Sort(documents, await response.Content.ReadAsStringAsync(cancel.Token));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or JsonException)
        {
            return documents;
        }
    }

    /// <summary>Counts what was shipped or refused for good; returns the items to retry.</summary>
    private List<string> Sort(List<string> documents, string responseBody)
    {
        using var json = JsonDocument.Parse(responseBody);
        if (!json.RootElement.GetProperty("errors").GetBoolean())
        {
            metrics.Shipped(Sink, documents.Count);
            return [];
        }

        var retry = new List<string>();
        var items = json.RootElement.GetProperty("items");
        var (shipped, rejected) = (0, 0);
        for (var i = 0; i < documents.Count; i++)
        {
            var status = i < items.GetArrayLength() && items[i].EnumerateObject().FirstOrDefault().Value is { ValueKind: JsonValueKind.Object } result
                && result.TryGetProperty("status", out var code) ? code.GetInt32() : 0;
            switch (status)
            {
                case >= 200 and < 300:
                    shipped++;
                    break;
                case 429 or >= 500 or 0:
                    retry.Add(documents[i]);
                    break;
                default:
                    rejected++;
                    break;
            }
        }

        metrics.Shipped(Sink, shipped);
        metrics.Dropped(Sink, LogShippingMetrics.DropReason.Rejected, rejected);
        return retry;
    }

    private async Task BackOffAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, time, state.ShuttingDown);
        }
        catch (OperationCanceledException)
        {
            // Shutdown began: one more attempt within what is left of its budget.
        }
    }

    private string Document(LogEvent logEvent)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        formatter.Format(logEvent, writer);
        return writer.ToString().TrimEnd('\r', '\n');
    }

    private static string Body(List<string> documents)
    {
        var body = new StringBuilder();
        foreach (var document in documents)
        {
            body.Append("{\"create\":{}}\n").Append(document).Append('\n');
        }

        return body.ToString();
    }
}
