using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace MonitoredService.Observability;

/// <summary>
/// Who is emitting: one answer for the log fields (<c>service.*</c>), the trace resource and the
/// build-info metric. Read from the standard OpenTelemetry variables where they are set.
/// </summary>
internal sealed record ServiceIdentity(string Name, string Version, string Commit, string Environment, string InstanceId)
{
    /// <summary>The name when neither variable sets one and the host has no application name.</summary>
    public const string DefaultName = "monitoredservice";

    /// <summary>When the build was made (ISO 8601, from the assembly's <c>BuildTime</c> metadata), or "unknown".</summary>
    public string BuildTime { get; init; } = "unknown";

    /// <summary>
    /// The identity from configuration and the application's assembly (its informational version,
    /// <c>version+commit</c>). A host reads it once, through <see cref="Settings.SettingsCache.Identity"/>.
    /// </summary>
    public static ServiceIdentity From(IConfiguration configuration, IHostEnvironment host, Assembly? assembly = null)
    {
        var attributes = ParseResourceAttributes(configuration["OTEL_RESOURCE_ATTRIBUTES"]);
        assembly ??= Assembly.GetEntryAssembly();
        var informational = assembly?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var buildTime = assembly?.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(metadata => metadata.Key == "BuildTime")?.Value;
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return new ServiceIdentity(
            Name: NonEmpty(configuration["OTEL_SERVICE_NAME"]) ?? attributes.GetValueOrDefault("service.name") ?? NameOf(host.ApplicationName),
            Version: plus < 0 ? informational : informational[..plus],
            Commit: plus < 0 ? "unknown" : informational[(plus + 1)..],
            Environment: attributes.GetValueOrDefault("deployment.environment.name")
                ?? attributes.GetValueOrDefault("deployment.environment")
                ?? host.EnvironmentName.ToLowerInvariant(),
            InstanceId: attributes.GetValueOrDefault("service.instance.id") ?? System.Environment.MachineName)
        {
            BuildTime = NonEmpty(buildTime) ?? "unknown",
        };
    }

    /// <summary><c>key1=value1,key2=value2</c>, values percent-decoded, as the specification says.</summary>
    internal static Dictionary<string, string> ParseResourceAttributes(string? value)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && NonEmpty(Uri.UnescapeDataString(pair[(equals + 1)..].Trim())) is { } attributeValue)
            {
                attributes[pair[..equals].Trim()] = attributeValue;
            }
        }

        return attributes;
    }

    /// <summary>
    /// The host's application name (its assembly's), lower-case, dots as hyphens: <c>MonitoredService</c>
    /// gives <c>monitoredservice</c>, the job and Kubernetes name; a host that takes the library as a
    /// package is named after itself (<c>Orders.Api</c>: <c>orders-api</c>).
    /// </summary>
    internal static string NameOf(string? applicationName) =>
        NonEmpty(applicationName)?.ToLowerInvariant().Replace('.', '-') ?? DefaultName;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
