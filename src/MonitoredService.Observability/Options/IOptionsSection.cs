namespace MonitoredService.Observability.Options;

/// <summary>An options class bound from one configuration section.</summary>
public interface IOptionsSection
{
    /// <summary>The configuration path of the section, e.g. <c>Observability:Health</c>.</summary>
    static abstract string SectionName { get; }
}
