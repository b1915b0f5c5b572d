using System.Net.Http.Json;

namespace MonitoredService.RealProcess.Tests.EndToEnd;

/// <summary>Steady API traffic, with a token when given one (about 40 requests a second: creates, reads, lists, unknown ids) until disposed.</summary>
public sealed class Traffic : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _sent;

    public Traffic(Uri service, string? token) => _loop = Task.Run(() => RunAsync(service, token, _stop.Token));

    public int Sent => _sent;

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private async Task RunAsync(Uri service, string? token, CancellationToken stop)
    {
        using var client = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(5) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        var id = 1L;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var created = await client.PostAsJsonAsync("/api/items", new { name = $"e2e {_sent}" }, stop);
                if (created.IsSuccessStatusCode)
                {
                    id = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(stop)).GetProperty("id").GetInt64();
                }

                (await client.GetAsync($"/api/items/{id}", stop)).Dispose();
                (await client.GetAsync("/api/items?limit=10", stop)).Dispose();
                (await client.GetAsync("/api/items/999999999", stop)).Dispose();
                Interlocked.Add(ref _sent, 4);
                await Task.Delay(100, stop);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or OperationCanceledException)
            {
                // The service restarting, its database stopping, or the test ending.
            }
        }
    }
}
