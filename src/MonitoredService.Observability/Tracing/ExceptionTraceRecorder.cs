using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace MonitoredService.Observability.Tracing;

/// <summary>
/// Registered right after the bad-request handler (client errors are not span errors): any other
/// exception, whether it becomes a 500 or a handled 503, is recorded on the request's span,
/// redacted. It never handles the exception itself.
/// </summary>
internal sealed class ExceptionTraceRecorder : IExceptionHandler
{
    public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ActivityExceptions.Record(System.Diagnostics.Activity.Current, exception);
        return ValueTask.FromResult(false);
    }
}
