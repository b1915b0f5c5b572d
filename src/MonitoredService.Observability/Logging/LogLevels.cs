using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// The minimum levels in force, by category: the configured ones (the code's defaults, then
/// <c>Serilog:MinimumLevel</c>) and the runtime overrides (<see cref="LogLevelOverrides"/>). The
/// longest category that prefixes an event's source context decides, as in Serilog.
/// </summary>
/// <remarks>
/// Serilog fixes its categories when the logger is built: each configured category gets a level
/// switch, and any other category follows the switch of its longest configured prefix (else the
/// default's). An override of a configured category moves its switch. An override of any other
/// category lowers the switch it follows, and a filter then drops what that switch now lets through
/// but the levels in force do not. The filter does nothing while no override is in force: without
/// overrides the cost is Serilog's own.
/// </remarks>
internal sealed class LogLevels : ILogEventFilter
{
    /// <summary>The category of events without a source context, and of every category no other entry prefixes.</summary>
    public const string Default = "Default";

    public const string ConfigurationKey = "Serilog:MinimumLevel";

    /// <summary>The code's defaults, beneath <c>Serilog:MinimumLevel</c>.</summary>
    private static readonly Dictionary<string, LogEventLevel> Defaults = new(StringComparer.Ordinal)
    {
        [Default] = LogEventLevel.Information,
        ["Microsoft.AspNetCore"] = LogEventLevel.Warning,
        ["Microsoft.Hosting.Lifetime"] = LogEventLevel.Information,
        ["System.Net.Http.HttpClient"] = LogEventLevel.Warning,
        // The health-check service logs every unhealthy result at Error, on every probe: during
        // start-up and drain that is an expected state, not an error. Dependency checks log their
        // own transitions, with the exception, once (DependencyHealthCheck).
        ["Microsoft.Extensions.Diagnostics.HealthChecks"] = LogEventLevel.Fatal,
    };

    private readonly FrozenDictionary<string, LoggingLevelSwitch> _switches;
    private volatile State _state;

    public LogLevels(IReadOnlyDictionary<string, LogEventLevel> configured)
    {
        Configured = configured.ToFrozenDictionary(StringComparer.Ordinal);
        _switches = Configured.ToFrozenDictionary(pair => pair.Key, pair => new LoggingLevelSwitch(pair.Value), StringComparer.Ordinal);
        _state = new State(Configured, Active: false);
    }

    /// <summary>The configured levels, <see cref="Default"/> included.</summary>
    public FrozenDictionary<string, LogEventLevel> Configured { get; }

    /// <summary>The code's defaults overlaid with <c>Serilog:MinimumLevel</c> (a level, or <c>Default</c> and <c>Override:{category}</c>).</summary>
    public static LogLevels From(IConfiguration configuration)
    {
        var levels = new Dictionary<string, LogEventLevel>(Defaults, StringComparer.Ordinal);
        var section = configuration.GetSection(ConfigurationKey);
        if (section.Value is { Length: > 0 } single)
        {
            levels[Default] = Parse(ConfigurationKey, single);
        }

        if (section[Default] is { Length: > 0 } value)
        {
            levels[Default] = Parse($"{ConfigurationKey}:{Default}", value);
        }

        foreach (var entry in section.GetSection("Override").GetChildren())
        {
            levels[entry.Key] = Parse(entry.Path, entry.Value);
        }

        return new LogLevels(levels);
    }

    /// <summary>Levels are Serilog's names (Verbose, Debug, Information, Warning, Error, Fatal), in any case.</summary>
    public static bool TryParse(string? value, out LogEventLevel level) =>
        Enum.TryParse(value, ignoreCase: true, out level) && Enum.IsDefined(level) && !int.TryParse(value, out _);

    /// <summary>The level in force for events of <paramref name="category"/> (a source context; "" or <see cref="Default"/> for none).</summary>
    public LogEventLevel EffectiveLevel(string category) => _state.EffectiveLevel(category);

    /// <summary>The switches and the filter, last in the logger's configuration (they win over any level set before).</summary>
    public LoggerConfiguration ApplyTo(LoggerConfiguration logger)
    {
        logger.MinimumLevel.ControlledBy(_switches[Default]);
        foreach (var (category, levelSwitch) in _switches.Where(pair => pair.Key != Default))
        {
            logger.MinimumLevel.Override(category, levelSwitch);
        }

        return logger.Filter.With(this);
    }

    /// <summary>Puts these overrides in force (replacing the previous set); switches first lowered, then the filter.</summary>
    internal void Apply(IReadOnlyDictionary<string, LogEventLevel> overrides)
    {
        var levels = new Dictionary<string, LogEventLevel>(Configured, StringComparer.Ordinal);
        foreach (var (category, level) in overrides)
        {
            levels[category] = level;
        }

        var state = new State(levels.ToFrozenDictionary(StringComparer.Ordinal), Active: overrides.Count > 0);
        foreach (var (key, levelSwitch) in _switches)
        {
            // What the switch must let through: its own category's level, and that of every category that follows it.
            levelSwitch.MinimumLevel = levels
                .Where(pair => pair.Key == key || Follows(pair.Key) == key)
                .Min(pair => pair.Value);
        }

        _state = state;
    }

    bool ILogEventFilter.IsEnabled(LogEvent logEvent)
    {
        var state = _state;
        return !state.Active || logEvent.Level >= state.EffectiveLevel(SourceContext(logEvent));
    }

    /// <summary>The configured category whose switch an event of <paramref name="category"/> follows.</summary>
    private string Follows(string category) => LongestPrefix(Configured.Keys, category) ?? Default;

    /// <summary>The longest of the categories that prefix <paramref name="category"/> (at a dot), <see cref="Default"/> aside.</summary>
    private static string? LongestPrefix(IEnumerable<string> categories, string category) =>
        categories.Where(key => key != Default && Prefixes(key, category)).MaxBy(key => key.Length);

    private static bool Prefixes(string prefix, string category) =>
        category.StartsWith(prefix, StringComparison.Ordinal) && (category.Length == prefix.Length || category[prefix.Length] == '.');

    private static string SourceContext(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue(Constants.SourceContextPropertyName, out var value) && value is ScalarValue { Value: string context }
            ? context
            : "";

    private static LogEventLevel Parse(string key, string? value) =>
        TryParse(value, out var level)
            ? level
            : throw new InvalidOperationException($"{key}: '{value}' is not a level (Verbose, Debug, Information, Warning, Error, Fatal).");

    /// <summary>The levels in force; the effective level of each source context seen is cached until the next change.</summary>
    private sealed record State(FrozenDictionary<string, LogEventLevel> Levels, bool Active)
    {
        private readonly ConcurrentDictionary<string, LogEventLevel> _effective = new(StringComparer.Ordinal);

        public LogEventLevel EffectiveLevel(string category) =>
            _effective.GetOrAdd(category, static (category, levels) => levels[LongestPrefix(levels.Keys, category) ?? Default], Levels);
    }
}
