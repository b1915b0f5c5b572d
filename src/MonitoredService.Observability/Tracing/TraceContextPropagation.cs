using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace MonitoredService.Observability.Tracing;

/// <summary>
/// When no spans are exported: a listener that lets ASP.NET Core create its request activity
/// (continuing an incoming traceparent) without recording it. Logs keep their trace and span ids,
/// responses their traceresponse header, at the cost of one unrecorded Activity per request.
/// </summary>
internal sealed class TraceContextPropagation : IHostedService, IDisposable
{
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}
