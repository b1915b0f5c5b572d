using System.Diagnostics;
using MonitoredService.Observability.Redaction;

namespace MonitoredService.Observability.Tracing;

/// <summary>
/// Records an exception on a span the way OpenTelemetry's conventions say (an <c>exception</c> event,
/// error status), with its message and stack trace redacted: driver exceptions can quote a
/// connection string. The instrumentations' own RecordException is off for that reason.
/// </summary>
public static class ActivityExceptions
{
    /// <summary>Records <paramref name="exception"/> on <paramref name="activity"/> when it is recorded; nothing otherwise.</summary>
    public static void Record(Activity? activity, Exception exception)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, SecretRedactor.Redact(exception.Message));
        activity.SetTag("error.type", exception.GetType().FullName);
        activity.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
        {
            ["exception.type"] = exception.GetType().FullName,
            ["exception.message"] = SecretRedactor.Redact(exception.Message),
            ["exception.stacktrace"] = SecretRedactor.Redact(exception.ToString()),
        }));
    }
}
