using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Security;

/// <summary>
/// Limits on <c>/api/*</c> (<c>RateLimiting</c>): a token bucket per client and a global concurrency
/// limit; both refuse at once (no queue). 0 switches a limit off, the default: the shipped Kubernetes
/// base sets them (docs/security.md says how to choose them from the measured capacity).
/// </summary>
public sealed class RateLimitingOptions : IOptionsSection, IValidatableObject
{
    public static string SectionName => "RateLimiting";

    /// <summary>Requests per second a client may sustain (its bucket is refilled once a second); 0 = off.</summary>
    [Range(0, 1_000_000)]
    public int PermitsPerSecond { get; set; }

    /// <summary>Requests a client may send at once after a quiet spell (the bucket's size); 0 = <see cref="PermitsPerSecond"/>.</summary>
    [Range(0, 1_000_000)]
    public int Burst { get; set; }

    /// <summary>Requests <c>/api/*</c> serves at once across all clients; the excess gets 503 at once; 0 = off.</summary>
    [Range(0, 100_000)]
    public int MaxConcurrentRequests { get; set; }

    public bool PerClientEnabled => PermitsPerSecond > 0;

    public int BucketSize => Burst > 0 ? Burst : PermitsPerSecond;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Burst > 0 && PermitsPerSecond == 0)
        {
            yield return new ValidationResult("a burst needs RateLimiting:PermitsPerSecond.", [nameof(Burst)]);
        }
        else if (Burst > 0 && Burst < PermitsPerSecond)
        {
            yield return new ValidationResult("at least RateLimiting:PermitsPerSecond (the bucket is refilled once a second).", [nameof(Burst)]);
        }
    }
}
