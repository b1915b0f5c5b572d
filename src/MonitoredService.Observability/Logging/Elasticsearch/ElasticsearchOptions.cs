using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Observability.Logging.Elasticsearch;

/// <summary>
/// Direct shipping of log events to Elasticsearch's <c>_bulk</c> API
/// (<c>Observability:Logging:Elasticsearch</c>), on when <see cref="Url"/> is set. In Kubernetes the
/// default path is stdout → Fluent Bit → Elasticsearch; this is for hosts without a log collector.
/// </summary>
public sealed class ElasticsearchOptions : IOptionsSection, IValidatableObject
{
    /// <inheritdoc />
    public static string SectionName => "Observability:Logging:Elasticsearch";

    /// <summary>The cluster, e.g. <c>http://elasticsearch:9200</c>. Unset: no shipping.</summary>
    [Url]
    public string? Url { get; set; }

    /// <summary>The data stream (or index) the events go to, named type-dataset-namespace.</summary>
    [RegularExpression("^[a-z0-9][a-z0-9._-]{0,254}$", ErrorMessage = "The data stream name must be lower case, without spaces or special characters.")]
    public string DataStream { get; set; } = "logs-monitoredservice-default";

    /// <summary>An API key (sent as <c>Authorization: ApiKey …</c>); a secret, from a secret store.</summary>
    public string? ApiKey { get; set; }

    /// <summary>With <see cref="Password"/>, for basic authentication when there is no API key.</summary>
    public string? Username { get; set; }

    /// <summary>With <see cref="Username"/>, for basic authentication; a secret, from a secret store.</summary>
    public string? Password { get; set; }

    /// <summary>Events per <c>_bulk</c> request, at most.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Events waiting to be shipped; beyond it, events are dropped and counted.</summary>
    [Range(1, 1_000_000)]
    public int QueueLimit { get; set; } = 10_000;

    /// <summary>Longest an event waits for its batch to fill.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Bound of each <c>_bulk</c> request; one that runs past it is an attempt that failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts per batch (429, 5xx, timeouts, refused connections); then the events are dropped.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Back-off before the second attempt; it doubles after each failure, up to 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest the service waits at shutdown to flush what is queued.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Username and Password are set together, or not at all.", [nameof(Password)]);
        }

        if (!string.IsNullOrEmpty(ApiKey) && !string.IsNullOrEmpty(Username))
        {
            yield return new ValidationResult("Set either ApiKey or Username and Password, not both.", [nameof(ApiKey)]);
        }
    }
}
