using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MonitoredService.RealProcess.Tests.EndToEnd;

/// <summary>The receiving end of Alertmanager's webhooks: what each receiver was sent.</summary>
public sealed class WebhookReceiver : LoopbackServer
{
    private readonly ConcurrentQueue<(string Receiver, JsonElement Payload)> _notifications = new();

    public IReadOnlyList<(string Receiver, JsonElement Payload)> Notifications => _notifications.ToArray();

    /// <summary>The alerts (status, labels) a receiver was notified of.</summary>
    public IEnumerable<(string Status, Dictionary<string, string> Labels)> AlertsSentTo(string receiver) =>
        Notifications.Where(n => n.Receiver == receiver)
            .SelectMany(n => n.Payload.GetProperty("alerts").EnumerateArray())
            .Select(alert => (alert.GetProperty("status").GetString()!,
                alert.GetProperty("labels").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!)));

    public async Task<Dictionary<string, string>> WaitForAsync(string receiver, string alertname, TimeSpan bound)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var match = AlertsSentTo(receiver).FirstOrDefault(a => a.Status == "firing" && a.Labels["alertname"] == alertname);
            if (match.Labels is not null)
            {
                return match.Labels;
            }

            clock.Elapsed.Should().BeLessThan(bound, $"{receiver} should be notified of {alertname}");
            await Task.Delay(250);
        }
    }

    protected override void Map(WebApplication app) => app.MapPost("/{receiver}", async (string receiver, HttpRequest request) =>
    {
        var payload = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
        _notifications.Enqueue((receiver, payload));
        return Results.Ok();
    });
}
