namespace MonitoredService.Observability.Settings;

/// <summary>An options class bound from one configuration section (see <see cref="SettingsCache"/>).</summary>
public interface IOptionsSection
{
    /// <summary>The configuration path of the section, e.g. <c>Observability:Health</c>.</summary>
    static abstract string SectionName { get; }
}
