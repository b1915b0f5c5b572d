using Microsoft.AspNetCore.Http;

namespace MonitoredService.Observability.Http;

/// <summary>
/// A signal's view of every request (the request metrics, the completion log line, the server
/// span): it sees the request once as it starts, before the response can start, and once as it
/// completes, with the status the client got and its duration settled in its <see cref="RequestFacts"/>.
/// A room registers its observer when its signal is on; the one middleware that calls them all
/// (<see cref="RequestObservation"/>) runs the rest of the pipeline once, whatever the number of signals.
/// </summary>
internal interface IRequestObserver
{
    void OnStarted(HttpContext context, RequestFacts facts);

    void OnCompleted(HttpContext context, RequestFacts facts);
}
