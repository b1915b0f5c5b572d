using System.Diagnostics;

namespace MonitoredService.RealProcess.Tests.Sinks;

/// <summary>Request latencies of one series of sequential requests, and their percentiles.</summary>
public sealed class Latency
{
    private readonly List<double> _milliseconds = [];

    public int Count => _milliseconds.Count;

    public double P50 => Percentile(0.50);

    public double P99 => Percentile(0.99);

    /// <summary>Sends <paramref name="count"/> requests one after the other, timing each; returns the statuses.</summary>
    public async Task<IReadOnlyList<int>> MeasureAsync(HttpClient client, string path, int count)
    {
        var statuses = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync(path);
            _milliseconds.Add(clock.Elapsed.TotalMilliseconds);
            statuses.Add((int)response.StatusCode);
        }

        return statuses;
    }

    public override string ToString() => $"p50 {P50:0.00} ms, p99 {P99:0.00} ms (n={Count})";

    private double Percentile(double quantile)
    {
        var sorted = _milliseconds.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(quantile * sorted.Length) - 1)];
    }
}
