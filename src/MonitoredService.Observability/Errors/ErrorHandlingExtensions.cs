using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MonitoredService.Observability.Errors;

internal static class ErrorHandlingExtensions
{
    /// <summary>
    /// Every error answers application/problem+json (RFC 9457) with a trace id: unhandled exceptions
    /// (500), requests that cannot be bound (4xx with the reason), exceptions a room's own
    /// <c>IExceptionHandler</c> answers (the host's store: 503), and empty 4xx/5xx answers such as
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

    /// <summary>
    /// The order of what happens to an exception, written here once: it is recorded on the span
    /// (<see cref="ExceptionRecording"/>), then answered by the first handler that owns it (each
    /// handler logs what it answers) or, unowned, logged by the framework and answered 500.
    /// </summary>
    public static IApplicationBuilder UseErrorHandling(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(ExceptionRecording.InvokeAsync);
        return app;
    }
}
