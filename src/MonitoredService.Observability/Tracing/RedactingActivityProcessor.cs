using System.Diagnostics;
using MonitoredService.Observability.Redaction;
using OpenTelemetry;

namespace MonitoredService.Observability.Tracing;

/// <summary>
/// Masks secrets in the string attributes of every span before export (a path or an attribute set
/// by a library can carry a token). Exception events are redacted where they are recorded
/// (<see cref="ActivityExceptions"/>), since events cannot be changed afterwards.
/// </summary>
internal sealed class RedactingActivityProcessor : BaseProcessor<Activity>
{
    public override void OnEnd(Activity activity)
    {
        List<KeyValuePair<string, string>>? changed = null;
        foreach (var tag in activity.TagObjects)
        {
            if (tag.Value is string value && SecretRedactor.Redact(value) is var redacted && !ReferenceEquals(redacted, value))
            {
                (changed ??= []).Add(new(tag.Key, redacted));
            }
        }

        foreach (var (key, value) in changed ?? [])
        {
            activity.SetTag(key, value);
        }
    }
}
