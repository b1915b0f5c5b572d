using MonitoredService.Observability.Metrics;
using Prometheus;

namespace MonitoredService.Security;

/// <summary>Refusals of the API, by reason (names are a contract: rules and dashboards use them).</summary>
public sealed class SecurityTelemetry
{
#if (WithAuth)
    public const string AuthFailuresName = MetricNames.Prefix + "auth_failures_total";
#endif
    public const string RequestsRejectedName = MetricNames.Prefix + "requests_rejected_total";

    public SecurityTelemetry(IMetricFactory factory)
    {
#if (WithAuth)
        AuthFailures = factory.CreateCounter(AuthFailuresName,
            "API requests refused by authentication (401: missing, invalid, expired) or authorization (403: forbidden).", ["reason"]);
        foreach (var reason in AuthFailureReason.All)
        {
            AuthFailures.WithLabels(reason).IncTo(0); // every series from 0: increase() sees the first failure
        }

#endif
        RequestsRejected = factory.CreateCounter(RequestsRejectedName,
            "API requests refused by a limit: a client over its rate (429: rate_limit) or the service over its concurrency (503: concurrency).", ["reason"]);
        foreach (var reason in RejectionReason.All)
        {
            RequestsRejected.WithLabels(reason).IncTo(0);
        }
    }

#if (WithAuth)
    public Counter AuthFailures { get; }

#endif
    public Counter RequestsRejected { get; }
}

#if (WithAuth)
public static class AuthFailureReason
{
    public const string Missing = "missing";
    public const string Invalid = "invalid";
    public const string Expired = "expired";
    public const string Forbidden = "forbidden";

    public static readonly string[] All = [Missing, Invalid, Expired, Forbidden];
}
#endif

public static class RejectionReason
{
    public const string RateLimit = "rate_limit";
    public const string Concurrency = "concurrency";

    public static readonly string[] All = [RateLimit, Concurrency];
}
