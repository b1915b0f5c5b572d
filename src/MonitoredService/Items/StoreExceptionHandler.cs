using Microsoft.AspNetCore.Diagnostics;

namespace MonitoredService.Items;

/// <summary>A store that cannot answer is a 503 problem+json with Retry-After, not a 500.</summary>
internal sealed partial class StoreExceptionHandler(
    IProblemDetailsService problemDetails,
    ILogger<StoreExceptionHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not StoreUnavailableException || httpContext.Response.HasStarted)
        {
            return false;
        }

        LogStoreUnavailable(logger, exception);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The item store is unavailable",
                Detail = "The request could not be served by the store; retry later.",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The item store is unavailable")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);
}
