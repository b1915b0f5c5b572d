using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.IdentityModel.Tokens;

namespace MonitoredService.Security;

/// <summary>
/// Answers an authorization failure on the API: 401 (missing, invalid or expired token, with
/// <c>WWW-Authenticate: Bearer</c> as RFC 6750 says) or 403 (a valid token without the scope), as
/// problem+json; counts it once in <c>monitoredservice_auth_failures_total{reason}</c> and logs it at
/// Information with the reason and the client's address, never the token.
/// </summary>
internal sealed partial class ApiRefusals(
    IProblemDetailsService problemDetails, SecurityTelemetry telemetry, ILogger<ApiRefusals> logger) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || !(authorizeResult.Challenged || authorizeResult.Forbidden))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            var scope = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().FirstOrDefault()?.Scope;
            Count(context, AuthFailureReason.Forbidden);
            context.Response.Headers.WWWAuthenticate = scope is null
                ? "Bearer error=\"insufficient_scope\""
                : $"Bearer error=\"insufficient_scope\", scope=\"{scope}\"";
            await WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
                scope is null ? "The token does not allow this request." : $"The token does not grant the scope {scope}.");
            return;
        }

        // The handler caches its result per request: this is the result UseAuthentication already had.
        var authentication = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        var reason = authentication.Failure switch
        {
            null => AuthFailureReason.Missing,
            SecurityTokenExpiredException => AuthFailureReason.Expired,
            _ => AuthFailureReason.Invalid,
        };
        Count(context, reason);
        context.Response.Headers.WWWAuthenticate = reason switch
        {
            AuthFailureReason.Missing => "Bearer",
            AuthFailureReason.Expired => "Bearer error=\"invalid_token\", error_description=\"The token expired\"",
            _ => "Bearer error=\"invalid_token\"",
        };
        await WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", reason switch
        {
            AuthFailureReason.Missing => "A bearer token is required (Authorization: Bearer <token>).",
            AuthFailureReason.Expired => "The bearer token has expired.",
            _ => "The bearer token is not valid for this service.",
        });
    }

    private void Count(HttpContext context, string reason)
    {
        telemetry.AuthFailures.WithLabels(reason).Inc();
        LogRefused(logger, reason, ClientAddress.Of(context), context.Request.Method, context.Request.Path.Value);
    }

    private async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Information, EventName = "AuthenticationRefused",
        Message = "API request refused: {EventReason} from {ClientAddress} ({HttpRequestMethod} {UrlPath})")]
    private static partial void LogRefused(ILogger logger, string eventReason, string clientAddress, string httpRequestMethod, string? urlPath);
}
