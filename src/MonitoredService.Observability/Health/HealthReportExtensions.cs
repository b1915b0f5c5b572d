using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MonitoredService.Observability.Health;

internal static class HealthReportExtensions
{
    /// <summary>
    /// The report without exception objects: the UI writer would publish their messages, which can
    /// carry connection strings or host names. A defence in depth: dependency checks already drop them.
    /// </summary>
    public static HealthReport WithoutExceptions(this HealthReport report)
    {
        if (report.Entries.Values.All(entry => entry.Exception is null))
        {
            return report;
        }

        var entries = report.Entries.ToDictionary(
            pair => pair.Key,
            pair => pair.Value.Exception is null
                ? pair.Value
                : new HealthReportEntry(
                    pair.Value.Status,
                    $"Check failed ({pair.Value.Exception.GetType().Name}).",
                    pair.Value.Duration,
                    exception: null,
                    pair.Value.Data,
                    pair.Value.Tags));
        return new HealthReport(entries, report.Status, report.TotalDuration);
    }
}
