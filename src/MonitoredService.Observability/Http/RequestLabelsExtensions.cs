using Microsoft.AspNetCore.Builder;

namespace MonitoredService.Observability.Http;

public static class RequestLabelsExtensions
{
    /// <summary>Right after routing: fixes the request's bounded labels (see <see cref="RequestLabels"/>).</summary>
    public static IApplicationBuilder UseRequestLabels(this IApplicationBuilder app) => app.Use(RequestLabels.CaptureAsync);
}
