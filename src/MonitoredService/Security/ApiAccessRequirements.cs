using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace MonitoredService.Security;

/// <summary>An authenticated caller (a valid bearer token); met by anyone while authentication is off.</summary>
public sealed class ApiCallerRequirement : IAuthorizationRequirement;

/// <summary>A scope the token must grant (<c>scope</c>, space-separated, or <c>scp</c>); met by anyone while authentication is off.</summary>
public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

/// <summary>Decides both requirements: the API stays open, as before, until a key or an authority is set.</summary>
internal sealed class ApiAccessHandler(IOptions<JwtOptions> options) : IAuthorizationHandler
{
    private readonly bool _enabled = options.Value.IsEnabled;

    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        foreach (var requirement in context.Requirements) // not PendingRequirements: Succeed changes that set
        {
            var authenticated = context.User.Identity?.IsAuthenticated == true;
            var met = requirement switch
            {
                ApiCallerRequirement => !_enabled || authenticated,
                ScopeRequirement scope => !_enabled || (authenticated && HasScope(context.User, scope.Scope)),
                _ => false, // not ours
            };
            if (met)
            {
                context.Succeed(requirement);
            }
        }

        return Task.CompletedTask;
    }

    private static bool HasScope(System.Security.Claims.ClaimsPrincipal user, string scope) =>
        user.FindAll("scope").Concat(user.FindAll("scp"))
            .Any(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal));
}
