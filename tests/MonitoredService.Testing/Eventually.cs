using System.Diagnostics;
using System.Net;

namespace MonitoredService.Testing;

/// <summary>Polling for a state the service reaches by itself; bounded so that a regression fails, not hangs.</summary>
public static class Eventually
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <see cref="Bound"/>.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string what) => TrueAsync(condition, what, Bound);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <paramref name="bound"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            clock.Elapsed.Should().BeLessThan(bound, what);
            await Task.Delay(20);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value; fails after <see cref="Bound"/>.</summary>
    public static async Task<T> UntilAsync<T>(Func<T?> probe, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            clock.Elapsed.Should().BeLessThan(Bound, what);
            await Task.Delay(20);
        }
    }

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

    /// <summary>Waits until /metrics exports a sample of <paramref name="name"/> with these labels.</summary>
    public static async Task WaitForMetricAsync(this HttpClient client, string name, params (string Label, string Value)[] labels)
    {
        var clock = Stopwatch.StartNew();
        while ((await Exposition.ScrapeAsync(client)).Value(name, labels) is null)
        {
            clock.Elapsed.Should().BeLessThan(Bound, $"{name} should be exported");
            await Task.Delay(20);
        }
    }
}
