namespace MonitoredService.Observability.Settings;

/// <summary>One section as <see cref="SettingsCache"/> bound it: the value, or why it could not be bound.</summary>
internal sealed class CachedSection<TOptions>(TOptions bound, Exception? bindFailure, bool valid)
    where TOptions : class, IOptionsSection, new()
{
    /// <summary>What configuration says, as bound (possibly invalid: the factory reports that).</summary>
    public TOptions Bound { get; } = bound;

    /// <summary>The binder's error (a value of the wrong type), if it failed.</summary>
    public Exception? BindFailure { get; } = bindFailure;

    /// <summary>For registration: the bound value if it is valid, else the defaults (the host will not start).</summary>
    public TOptions Usable { get; } = bindFailure is null && valid ? bound : new TOptions();
}
