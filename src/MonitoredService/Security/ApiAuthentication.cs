using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;

namespace MonitoredService.Security;

/// <summary>
/// Bearer tokens on the API (docs/security.md): the JWT handler when a key or an authority is set,
/// the caller and scope requirements, and the answer to a refusal (<see cref="ApiRefusals"/>). An
/// instance made with <c>--auth false</c> has none of this file: its API is limited, not authenticated.
/// </summary>
public static class ApiAuthentication
{
    /// <summary>Every endpoint of the API: a valid token (when configured).</summary>
    internal static readonly AuthorizationPolicy CallerPolicy = new AuthorizationPolicyBuilder().AddRequirements(new ApiCallerRequirement()).Build();

    internal static void AddApiAuthentication(this IHostApplicationBuilder builder, JwtOptions jwt)
    {
        // The core only: AddAuthentication() would add data protection (for cookies), which creates a
        // key ring at start and warns about it; a bearer token needs none.
        builder.Services.AddAuthenticationCore(options => options.DefaultScheme = JwtBearerDefaults.AuthenticationScheme);
        if (jwt.IsEnabled)
        {
            builder.Services.AddWebEncoders();
            builder.Services.AddSingleton<IAuthenticationConfigurationProvider>(new SchemeConfiguration(builder.Configuration));
            new AuthenticationBuilder(builder.Services).AddJwtBearer(options => ConfigureBearer(options, jwt));
        }

        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<IAuthorizationHandler, ApiAccessHandler>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ApiRefusals>();
    }

    /// <summary>The endpoint also needs the token to grant <paramref name="scope"/> (403 otherwise).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder endpoint, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.RequireAuthorization(new AuthorizationPolicyBuilder().AddRequirements(new ScopeRequirement(scope)).Build());

    /// <summary>What AddAuthentication() registers: the handler also binds <c>Authentication:Schemes:Bearer</c>.</summary>
    private sealed class SchemeConfiguration(IConfiguration configuration) : IAuthenticationConfigurationProvider
    {
        public IConfiguration AuthenticationConfiguration { get; } = configuration.GetSection("Authentication");
    }

    private static void ConfigureBearer(JwtBearerOptions options, JwtOptions jwt)
    {
        options.MapInboundClaims = false; // keep "sub" and "scope" as the token names them
        options.IncludeErrorDetails = false; // ApiRefusals writes the answer
        options.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        options.TokenValidationParameters.ClockSkew = jwt.ClockSkew;
        if (jwt.ValidationCacheDuration > TimeSpan.Zero)
        {
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new ValidatedTokenCache(jwt.ValidationCacheDuration));
        }
        if (!string.IsNullOrWhiteSpace(jwt.Authority))
        {
            options.Authority = jwt.Authority;
            options.Audience = jwt.Audience;
            return;
        }

        var parameters = options.TokenValidationParameters;
        parameters.IssuerSigningKey = new SymmetricSecurityKey(jwt.SigningKeyBytes() ?? []);
        parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        parameters.ValidateIssuer = !string.IsNullOrWhiteSpace(jwt.Issuer);
        parameters.ValidIssuer = jwt.Issuer;
        parameters.ValidateAudience = !string.IsNullOrWhiteSpace(jwt.Audience);
        parameters.ValidAudience = jwt.Audience;
    }
}
