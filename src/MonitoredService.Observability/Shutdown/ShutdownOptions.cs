using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Observability.Shutdown;

/// <summary>
/// Graceful shutdown (<c>Observability:Shutdown</c>). On SIGTERM readiness turns 503 at once; the
/// service keeps serving for <see cref="DrainDelay"/> while load balancers take it out of rotation,
/// then stops accepting and gives in-flight requests and flushes up to <see cref="Timeout"/>.
/// Kubernetes' terminationGracePeriodSeconds must exceed DrainDelay + Timeout.
/// </summary>
public sealed class ShutdownOptions : IOptionsSection
{
    /// <inheritdoc />
    public static string SectionName => "Observability:Shutdown";

    /// <summary>How long the service keeps serving after SIGTERM, readiness already 503, while load balancers take it out.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After the drain delay: the longest that requests in flight and the sinks' flushes are given.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}
