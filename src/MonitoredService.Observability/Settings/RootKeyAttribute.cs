namespace MonitoredService.Observability.Settings;

/// <summary>
/// A string property bound from a key at the root of configuration rather than from its section:
/// for the keys that a standard puts there (<c>OTEL_*</c>, <c>ConnectionStrings:*</c>). Give it a
/// non-public setter, so that the section cannot set it too. Validation messages name this key.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RootKeyAttribute(string key) : Attribute
{
    /// <summary>The configuration key, e.g. <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string Key { get; } = key;
}
