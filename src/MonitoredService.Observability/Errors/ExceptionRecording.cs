using Microsoft.AspNetCore.Http;
using MonitoredService.Observability.Tracing;

namespace MonitoredService.Observability.Errors;

/// <summary>
/// Inside the exception handler: every exception a request throws is recorded on its span first
/// (redacted, see <see cref="ActivityExceptions"/>), whichever handler answers it afterwards and in
/// whatever order the handlers were registered. Not recorded, as the handler does not answer them
/// either: a request the framework could not bind (the client's error) and a request the client
/// abandoned.
/// </summary>
internal static class ExceptionRecording
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (ex is not BadHttpRequestException && !IsAbandoned(context, ex))
        {
            ActivityExceptions.Record(System.Diagnostics.Activity.Current, ex);
            throw;
        }
    }

    private static bool IsAbandoned(HttpContext context, Exception exception) =>
        exception is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested;
}
