using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace MonitoredService.Observability.Metrics;

/// <summary>
/// Exports the registered <see cref="ExportedInstrument"/>s of .NET meters through prometheus-net,
/// with Prometheus types (a counter stays a counter). Observable instruments are read at scrape
/// time; nothing runs on the request path but the runtime's own counting. Meters created through
/// another host's <see cref="IMeterFactory"/> (tests run several in one process) are ignored.
/// </summary>
internal sealed class MeterBridge : IHostedService, IDisposable
{
    private readonly Dictionary<(string Meter, string Instrument), Binding> _bindings;
    private readonly IMeterFactory _meterFactory;
    private readonly MeterListener _listener = new();

    public MeterBridge(IEnumerable<ExportedInstrument> instruments, IMetricFactory factory, CollectorRegistry registry, IMeterFactory meterFactory)
    {
        _meterFactory = meterFactory;
        _bindings = instruments.DistinctBy(export => (export.Meter, export.Instrument)).ToDictionary(
            export => (export.Meter, export.Instrument),
            export => new Binding(export, export.Type == ExportedInstrument.Kind.Count, export.Type switch
            {
                ExportedInstrument.Kind.Counter or ExportedInstrument.Kind.Count => factory.CreateCounter(export.Name, export.Help, export.LabelNames),
                ExportedInstrument.Kind.Histogram => factory.CreateHistogram(export.Name, export.Help, export.LabelNames,
                    new HistogramConfiguration { Buckets = ExportedInstrument.SecondsBuckets }),
                _ => factory.CreateGauge(export.Name, export.Help, export.LabelNames),
            }));
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => ((Binding)state!).Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, state) => ((Binding)state!).Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => ((Binding)state!).Record(instrument, value, tags));
        registry.AddBeforeCollectCallback(_listener.RecordObservableInstruments);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var ownScope = instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, _meterFactory);
        if (ownScope && _bindings.TryGetValue((instrument.Meter.Name, instrument.Name), out var binding))
        {
            listener.EnableMeasurementEvents(instrument, binding);
        }
    }

    private sealed class Binding(ExportedInstrument export, bool counts, Collector collector)
    {
        private readonly string[] _tagNames = export.TagNames;

        public void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new string[_tagNames.Length];
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = "";
                foreach (var tag in tags)
                {
                    if (tag.Key == _tagNames[i])
                    {
                        labels[i] = tag.Value?.ToString() ?? "";
                        break;
                    }
                }
            }

            switch (collector, instrument)
            {
                case (Counter counter, _) when counts:
                    counter.WithLabels(labels).Inc();
                    break;
                case (Counter counter, ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double>):
                    counter.WithLabels(labels).IncTo(value);
                    break;
                case (Counter counter, _):
                    counter.WithLabels(labels).Inc(value);
                    break;
                case (Histogram histogram, _):
                    histogram.WithLabels(labels).Observe(value);
                    break;
                case (Gauge gauge, UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double>):
                    gauge.WithLabels(labels).Inc(value);
                    break;
                case (Gauge gauge, _):
                    gauge.WithLabels(labels).Set(value);
                    break;
            }
        }
    }
}
