using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MonitoredService.Observability.Errors;

public static class ErrorHandlingExtensions
{
    /// <summary>
    /// Every error answers application/problem+json (RFC 9457) with a trace id: unhandled exceptions
    /// (500), requests that cannot be bound (4xx with the reason), and empty 4xx/5xx answers such as
    /// unknown routes (404) and wrong methods (405).
    /// </summary>
    public static IHostApplicationBuilder AddErrorHandling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Throw on bad input (instead of a bare 400) so that the handler can say what was wrong.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    public static IApplicationBuilder UseErrorHandling(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
