using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace MonitoredService.Bench;

/// <summary>
/// The service's own runtime counters, read over EventPipe as dotnet-counters reads them (whatever
/// the variant exports on /metrics): the bytes it allocated, from the runtime's <c>alloc-rate</c>
/// counter, published every second. The same session is attached to every variant.
/// </summary>
internal sealed class RuntimeCounters : IDisposable
{
    private readonly EventPipeSession _session;
    private readonly Task _reader;
    private readonly Lock _gate = new();
    private readonly List<(DateTime At, double Bytes)> _allocations = [];

    public RuntimeCounters(int processId)
    {
        var provider = new EventPipeProvider("System.Runtime", EventLevel.Informational, keywords: 0,
            new Dictionary<string, string> { ["EventCounterIntervalSec"] = "1" });
        _session = new DiagnosticsClient(processId).StartEventPipeSession([provider], requestRundown: false);
        var source = new EventPipeEventSource(_session.EventStream);
        source.Dynamic.All += OnEvent;
        _reader = Task.Run(source.Process);
    }

    /// <summary>Bytes allocated per second over the whole intervals published between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public double AllocationRate(DateTime from, DateTime to)
    {
        lock (_gate)
        {
            // Each value covers the second before it was published: only intervals inside the window count.
            var inside = _allocations.Where(a => a.At - TimeSpan.FromSeconds(1) >= from && a.At <= to).ToList();
            return inside.Count == 0 ? double.NaN : inside.Sum(a => a.Bytes) / inside.Count;
        }
    }

    public void Dispose()
    {
        try
        {
            _session.Stop();
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or EndOfStreamException or IOException)
        {
            // The process has gone: nothing left to stop.
        }

        _reader.Wait(TimeSpan.FromSeconds(5));
        _session.Dispose();
    }

    private void OnEvent(TraceEvent data)
    {
        if (data.EventName != "EventCounters" || data.PayloadValue(0) is not IDictionary<string, object> { } wrapper
            || wrapper["Payload"] is not IDictionary<string, object> { } payload || (string)payload["Name"] != "alloc-rate")
        {
            return;
        }

        var bytes = Convert.ToDouble(payload["Increment"], System.Globalization.CultureInfo.InvariantCulture);
        var interval = Convert.ToDouble(payload["IntervalSec"], System.Globalization.CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _allocations.Add((DateTime.UtcNow, bytes / Math.Max(interval, 0.001)));
        }
    }
}
