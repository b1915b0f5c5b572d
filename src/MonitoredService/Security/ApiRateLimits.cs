using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace MonitoredService.Security;

/// <summary>
/// The two limits of <c>/api/*</c>, on ASP.NET Core's rate limiter. The global limiter (checked
/// first) is the concurrency limit: 503 when the service is full. The endpoint policy is the
/// per-client token bucket: 429 when one client is over its rate. Neither queues. Probes and
/// <c>/metrics</c> carry no API metadata, so neither limit ever sees them.
/// </summary>
internal static class ApiRateLimits
{
    public const string PerClientPolicyName = "api-per-client";

    public static void Configure(RateLimiterOptions limiter, RateLimitingOptions options)
    {
        // The partitions are built once: the request path only picks one (no delegate per request).
        var shared = options.MaxConcurrentRequests > 0
            ? RateLimitPartition.GetConcurrencyLimiter("api", _ => new ConcurrencyLimiterOptions { PermitLimit = options.MaxConcurrentRequests, QueueLimit = 0 })
            : RateLimitPartition.GetNoLimiter("api");
        var none = RateLimitPartition.GetNoLimiter("");
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            context.GetEndpoint()?.Metadata.GetMetadata<ApiEndpoint>() is not null ? shared : none);
        limiter.OnRejected = (rejected, cancellationToken) => RefuseAsync(rejected, RejectionReason.Concurrency, cancellationToken);
        limiter.AddPolicy(PerClientPolicyName, new PerClientPolicy(options));
    }

    /// <summary>The client a bucket belongs to: the token's subject, else the (proxy-resolved) remote address.</summary>
    public static string ClientOf(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.FindFirst("sub")?.Value is { Length: > 0 } subject
            ? "sub:" + subject
            : "ip:" + ClientAddress.Of(context);

    private static async ValueTask RefuseAsync(OnRejectedContext rejected, string reason, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var services = context.RequestServices;
        services.GetRequiredService<SecurityTelemetry>().RequestsRejected.WithLabels(reason).Inc();
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
            : 1; // a concurrency slot frees within a request's time
        var status = reason == RejectionReason.RateLimit ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable;
        context.Response.StatusCode = status;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await services.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = status,
                Type = reason == RejectionReason.RateLimit ? "https://tools.ietf.org/html/rfc6585#section-4" : null,
                Title = reason == RejectionReason.RateLimit ? "Too many requests" : "Service over capacity",
                Detail = reason == RejectionReason.RateLimit
                    ? $"This client is over its rate limit; retry after {retryAfter} s."
                    : $"The service is serving as many requests as it can; retry after {retryAfter} s.",
            },
        });
    }

    private sealed class PerClientPolicy(RateLimitingOptions options) : IRateLimiterPolicy<string>
    {
        private static readonly RateLimitPartition<string> None = RateLimitPartition.GetNoLimiter("");

        private readonly TokenBucketRateLimiterOptions _bucket = new()
        {
            TokenLimit = Math.Max(1, options.BucketSize),
            TokensPerPeriod = Math.Max(1, options.PermitsPerSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };

        private Func<string, TokenBucketRateLimiterOptions>? _factory;

        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } =
            (rejected, cancellationToken) => RefuseAsync(rejected, RejectionReason.RateLimit, cancellationToken);

        public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
            options.PerClientEnabled
                ? RateLimitPartition.GetTokenBucketLimiter(ClientOf(httpContext), _factory ??= _ => _bucket) // one delegate, not one per request
                : None;
    }
}

/// <summary>Marks an endpoint of the protected API (authenticated, limited, shed).</summary>
public sealed class ApiEndpoint
{
    public static readonly ApiEndpoint Instance = new();
}
