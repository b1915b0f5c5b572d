using Microsoft.AspNetCore.Http;

namespace MonitoredService.Observability.Http;

/// <summary>
/// Right after routing: captures the request's <see cref="RequestFacts"/>, lets every observer see
/// the start, runs the rest of the pipeline, settles the status the client got
/// (<see cref="ResponseStatus"/>: a request that threw counts as the 500 Kestrel sends) and the
/// duration once, and lets every observer see the completion. Outside the error handling, so that
/// the observers report the answer, not the exception. The request itself is not changed.
/// </summary>
/// <remarks>
/// The observers are called through delegates bound once, not through the interface: with two or
/// three observers each call site sees several types, and the runtime then looks every interface
/// call up in its dispatch cache (its resolve stub: 0.3–0.4 µs per request in an all-on profile,
/// docs/benchmarks.md); a delegate calls the method directly.
/// </remarks>
internal sealed class RequestObservation(IRequestObserver[] observers)
{
    private readonly Action<HttpContext, RequestFacts>[] _started = [.. observers.Select(observer => (Action<HttpContext, RequestFacts>)observer.OnStarted)];
    private readonly Action<HttpContext, RequestFacts>[] _completed = [.. observers.Select(observer => (Action<HttpContext, RequestFacts>)observer.OnCompleted)];

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var facts = RequestFacts.Capture(context);
        return _started.Length == 0 ? next(context) : ObserveAsync(context, facts, next);
    }

    private async Task ObserveAsync(HttpContext context, RequestFacts facts, RequestDelegate next)
    {
        foreach (var started in _started)
        {
            started(context, facts);
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
            foreach (var completed in _completed)
            {
                completed(context, facts);
            }
        }
    }
}
