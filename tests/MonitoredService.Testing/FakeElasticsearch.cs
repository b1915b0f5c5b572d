using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MonitoredService.Testing;

/// <summary>
/// An in-process stand-in for Elasticsearch that speaks the <c>_bulk</c> request/response contract
/// (no Elasticsearch server can be installed here): it records every request and answers each
/// item with the status <see cref="ItemStatus"/> chooses, or the whole request with <see cref="RequestStatus"/>,
/// or hangs while <see cref="Hang"/> is set.
/// </summary>
public sealed class FakeElasticsearch : LoopbackServer
{
    private readonly ConcurrentQueue<BulkRequest> _requests = new();
    private int _items;

    /// <summary>The status for the n-th item received (0-based, over all requests); default 201.</summary>
    public Func<int, int> ItemStatus { get; set; } = _ => 201;

    /// <summary>A status for the whole request, instead of a per-item answer; null for a 200.</summary>
    public Func<int>? RequestStatus { get; set; }

    /// <summary>Accept the request and never answer.</summary>
    public bool Hang { get; set; }

    /// <summary>Answer every request this late (a slow cluster).</summary>
    public TimeSpan Delay { get; set; }

    public IReadOnlyList<BulkRequest> Requests => _requests.ToArray();

    /// <summary>The documents of every request that was answered 2xx for that item.</summary>
    public IEnumerable<JsonElement> AcceptedDocuments => Requests.SelectMany(request => request.Accepted);

    protected override void Map(WebApplication app) => app.MapPost("/{index}/_bulk", BulkAsync);

    private async Task BulkAsync(HttpContext context, string index)
    {
        var body = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync();
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var documents = lines.Where((_, i) => i % 2 == 1).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToArray();
        var request = new BulkRequest(index, context.Request.ContentType, context.Request.Headers.Authorization.ToString(),
            body, lines.Where((_, i) => i % 2 == 0).ToArray(), documents);
        if (Hang)
        {
            _requests.Enqueue(request);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
            return;
        }

        await Task.Delay(Delay, context.RequestAborted);

        if (RequestStatus is { } requestStatus)
        {
            _requests.Enqueue(request);
            context.Response.StatusCode = requestStatus();
            await context.Response.WriteAsync("""{"error":{"type":"es_rejected_execution_exception"},"status":429}""");
            return;
        }

        var statuses = documents.Select(_ => ItemStatus(Interlocked.Increment(ref _items) - 1)).ToArray();
        request.Statuses = statuses;
        _requests.Enqueue(request);
        var items = statuses.Select(status => status is >= 200 and < 300
            ? $$$"""{"create":{"_index":"{{{index}}}","status":{{{status}}},"result":"created"}}"""
            : $$$$"""{"create":{"_index":"{{{{index}}}}","status":{{{{status}}}},"error":{"type":"rejected","reason":"test"}}}""");
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$"""{"took":1,"errors":{{(statuses.All(s => s is >= 200 and < 300) ? "false" : "true")}},"items":[{{string.Join(',', items)}}]}""");
    }

    public sealed record BulkRequest(string Index, string? ContentType, string Authorization, string Body, string[] Actions, JsonElement[] Documents)
    {
        public int[] Statuses { get; set; } = [];

        public IEnumerable<JsonElement> Accepted => Documents.Where((_, i) => i < Statuses.Length && Statuses[i] is >= 200 and < 300);
    }
}
