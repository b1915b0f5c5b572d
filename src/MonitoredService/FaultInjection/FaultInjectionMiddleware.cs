using Microsoft.Extensions.Options;

namespace MonitoredService.FaultInjection;

/// <summary>Adds the configured latency to /api/* requests, then fails the configured share with 500.</summary>
internal sealed partial class FaultInjectionMiddleware
{
    public const string ApiPrefix = "/api";

    private readonly RequestDelegate _next;
    private readonly IOptions<FaultInjectionOptions> _options;
    private readonly IProblemDetailsService _problemDetails;
    private readonly TimeProvider _time;

    public FaultInjectionMiddleware(
        RequestDelegate next,
        IOptions<FaultInjectionOptions> options,
        IProblemDetailsService problemDetails,
        TimeProvider time,
        ILogger<FaultInjectionMiddleware> logger)
    {
        (_next, _options, _problemDetails, _time) = (next, options, problemDetails, time);
        // Built with the pipeline, after options validation: a warning nobody can miss in the log.
        var faults = options.Value;
        if (faults.IsEnabled)
        {
            LogEnabled(logger, faults.ErrorRate, faults.LatencyMs);
        }
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var faults = _options.Value;
        if (!faults.IsEnabled || !context.Request.Path.StartsWithSegments(ApiPrefix))
        {
            await _next(context);
            return;
        }

        if (faults.LatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(faults.LatencyMs), _time, context.RequestAborted);
        }

        if (faults.ErrorRate > 0 && Random.Shared.NextDouble() < faults.ErrorRate)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await _problemDetails.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Title = "Injected fault",
                    Detail = "FaultInjection:ErrorRate is set; this failure is deliberate.",
                },
            });
            return;
        }

        await _next(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault injection is ON for /api/*: error rate {ErrorRate}, added latency {LatencyMs} ms")]
    private static partial void LogEnabled(ILogger logger, double errorRate, int latencyMs);
}
