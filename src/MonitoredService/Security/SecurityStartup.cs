#if (WithAuth)
using Microsoft.Extensions.Options;

#endif
namespace MonitoredService.Security;

/// <summary>
/// At start: the refusal counters exist (at 0) from the first scrape, before any refusal; and in
/// Production, one warning when <c>/api/*</c> takes no token (nothing configured).
/// </summary>
internal sealed partial class SecurityStartup(
#if (WithAuth)
    SecurityTelemetry telemetry, IOptions<JwtOptions> options, IHostEnvironment environment, ILogger<SecurityStartup> logger) : IHostedService
#else
    SecurityTelemetry telemetry) : IHostedService
#endif
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(telemetry); // constructed: its series are registered
#if (WithAuth)
        if (!options.Value.IsEnabled && environment.IsProduction())
        {
            LogOpen(logger);
        }

#endif
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
#if (WithAuth)

    [LoggerMessage(Level = LogLevel.Warning, EventName = "ApiOpen",
        Message = "The API is open: no Authentication:Jwt:Authority or Authentication:Jwt:SigningKey is set, so /api/* takes requests without a token")]
    private static partial void LogOpen(ILogger logger);
#endif
}
