using Microsoft.AspNetCore.Http;

namespace MonitoredService.Observability.Http;

/// <summary>The status code a client got, as every signal reports it.</summary>
internal static class ResponseStatus
{
    /// <summary>
    /// The response's status; a request whose exception escaped before the response started is a
    /// 500, as Kestrel answers it (the response object would still say 200).
    /// </summary>
    public static int Of(HttpContext context, bool threw) =>
        threw && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
}
