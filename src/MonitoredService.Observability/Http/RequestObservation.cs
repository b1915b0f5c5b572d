using Microsoft.AspNetCore.Http;

namespace MonitoredService.Observability.Http;

/// <summary>
/// Right after routing: captures the request's <see cref="RequestFacts"/>, lets every observer see
/// the start, runs the rest of the pipeline, settles the status the client got
/// (<see cref="ResponseStatus"/>: a request that threw counts as the 500 Kestrel sends) and the
/// duration once, and lets every observer see the completion. Outside the error handling, so that
/// the observers report the answer, not the exception. The request itself is not changed.
/// </summary>
internal sealed class RequestObservation(IRequestObserver[] observers)
{
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var facts = RequestFacts.Capture(context);
        return observers.Length == 0 ? next(context) : ObserveAsync(context, facts, next);
    }

    private async Task ObserveAsync(HttpContext context, RequestFacts facts, RequestDelegate next)
    {
        foreach (var observer in observers)
        {
            observer.OnStarted(context, facts);
        }

        var threw = true;
        try
        {
            await next(context);
            threw = false;
        }
        finally
        {
            facts.Complete(ResponseStatus.Of(context, threw));
            foreach (var observer in observers)
            {
                observer.OnCompleted(context, facts);
            }
        }
    }
}
