using Microsoft.Extensions.Logging;
using MonitoredService.Observability.Metrics;
using Prometheus;
using Serilog.Events;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// Runtime changes of a category's minimum level (<c>/loggers</c> on the management listener), each
/// with a deadline at which it reverts by itself, whether or not anybody calls again. Every change
/// and every revert writes one Warning event; the overrides in force are the gauge
/// <c>monitoredservice_log_level_overrides{category,level}</c> (1 while in force), which an info
/// alert watches so that a forgotten Debug level shows.
/// </summary>
internal sealed class LogLevelOverrides : IDisposable
{
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);

    /// <summary>Overrides in force at once (each is a series of the gauge).</summary>
    public const int MaxOverrides = 20;

    private readonly LogLevels _levels;
    private readonly TimeProvider _time;
    private readonly Func<ILogger> _audit;
    private readonly Gauge _inForce;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public LogLevelOverrides(LogLevels levels, TimeProvider time, IMetricFactory metrics, Func<ILogger> audit)
    {
        _levels = levels;
        _time = time;
        _audit = audit;
        _inForce = metrics.CreateGauge(MetricNames.Prefix + "log_level_overrides",
            "Runtime log-level overrides in force (1 each), by category and level; each reverts by itself within an hour.",
            ["category", "level"]);
    }

    /// <summary>One override in force: who asked, from where, and until when.</summary>
    public sealed record Override(string Category, LogEventLevel Level, DateTimeOffset Until, string RequestedBy, string From);

    /// <summary>Why a change was refused (the caller answers 400 or 409).</summary>
    public enum Refusal
    {
        None,
        TooMany,
    }

    public IReadOnlyList<Override> InForce()
    {
        lock (_lock)
        {
            return _entries.Values.Select(entry => entry.Override).OrderBy(o => o.Category, StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>A category's override and the level in force, read together (a revert applies both under the same lock).</summary>
    public (Override? Override, LogEventLevel Effective) Of(string category)
    {
        lock (_lock)
        {
            return (_entries.GetValueOrDefault(category)?.Override, _levels.EffectiveLevel(category));
        }
    }

    /// <summary>Sets (or replaces) the override of a category until now + <paramref name="duration"/>.</summary>
    public Refusal Set(string category, LogEventLevel level, TimeSpan duration, string requestedBy, string from, out Override? set)
    {
        LogEventLevel previous;
        lock (_lock)
        {
            set = null;
            if (!_entries.ContainsKey(category) && _entries.Count >= MaxOverrides)
            {
                return Refusal.TooMany;
            }

            previous = _levels.EffectiveLevel(category);
            set = new Override(category, level, _time.GetUtcNow() + duration, requestedBy, from);
            Remove(category);
            var entry = new Entry(set);
            entry.Timer = _time.CreateTimer(_ => Expire(entry), null, duration, Timeout.InfiniteTimeSpan);
            _entries[category] = entry;
            _inForce.WithLabels(category, level.ToString()).Set(1);
            Apply();
        }

        _audit().LogWarning(
            "Log level of {LogCategory} set to {LogLevel} until {Until:O} by {RequestedBy} from {ClientAddress} (it was {PreviousLevel})",
            category, level.ToString(), set.Until, requestedBy, from, previous.ToString());
        return Refusal.None;
    }

    /// <summary>Reverts a category to its configured level now; false when it had no override.</summary>
    public bool Revert(string category, string requestedBy, string from)
    {
        Override? reverted;
        lock (_lock)
        {
            reverted = _entries.GetValueOrDefault(category)?.Override;
            if (reverted is null)
            {
                return false;
            }

            Remove(category);
            Apply();
        }

        _audit().LogWarning(
            "Log level of {LogCategory} reverted from {LogLevel} to {ConfiguredLevel} by {RequestedBy} from {ClientAddress}",
            category, reverted.Level.ToString(), _levels.EffectiveLevel(category).ToString(), requestedBy, from);
        return true;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var entry in _entries.Values)
            {
                entry.Timer?.Dispose();
            }

            _entries.Clear();
        }
    }

    private void Expire(Entry entry)
    {
        var category = entry.Override.Category;
        lock (_lock)
        {
            if (!_entries.TryGetValue(category, out var current) || !ReferenceEquals(current, entry))
            {
                return; // replaced or reverted meanwhile
            }

            Remove(category);
            Apply();
        }

        _audit().LogWarning(
            "Log level of {LogCategory} reverted from {LogLevel} to {ConfiguredLevel}: its override ended at {Until:O}",
            category, entry.Override.Level.ToString(), _levels.EffectiveLevel(category).ToString(), entry.Override.Until);
    }

    private void Remove(string category)
    {
        if (_entries.Remove(category, out var previous))
        {
            previous.Timer?.Dispose();
            _inForce.RemoveLabelled(category, previous.Override.Level.ToString());
        }
    }

    private void Apply() => _levels.Apply(_entries.ToDictionary(pair => pair.Key, pair => pair.Value.Override.Level, StringComparer.Ordinal));

    private sealed class Entry(Override value)
    {
        public Override Override { get; } = value;

        public System.Threading.ITimer? Timer { get; set; }
    }
}
