using System.Diagnostics;
using System.Net;

namespace MonitoredService.Tests.Infrastructure;

/// <summary>Polling for a state the service reaches by itself; bounded so that a regression fails, not hangs.</summary>
public static class Eventually
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    public static async Task WaitForStatusAsync(this HttpClient client, string path, HttpStatusCode expected)
    {
        var clock = Stopwatch.StartNew();
        HttpStatusCode last;
        while ((last = (await client.GetAsync(path)).StatusCode) != expected)
        {
            clock.Elapsed.Should().BeLessThan(Bound, $"{path} should answer {expected}, last {last}");
            await Task.Delay(20);
        }
    }

    public static async Task WaitForDescriptionAsync(this HttpClient client, string path, string entry, string expected)
    {
        var clock = Stopwatch.StartNew();
        string last;
        while ((last = (await (await client.GetAsync(path)).ReadHealthAsync()).EntryDescription(entry)) != expected)
        {
            clock.Elapsed.Should().BeLessThan(Bound, $"{path} should say '{expected}', last '{last}'");
            await Task.Delay(20);
        }
    }
}
