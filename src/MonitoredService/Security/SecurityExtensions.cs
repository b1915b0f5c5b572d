using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Security;

/// <summary>
/// The API's protection (docs/security.md): bearer tokens when configured, a rate per client, a
/// concurrency limit, forwarded headers from known proxies only, and the signals of each refusal.
/// </summary>
public static class SecurityExtensions
{
    public static IHostApplicationBuilder AddApiSecurity(this IHostApplicationBuilder builder)
    {
        var settings = SettingsCache.Of(builder);
        var jwt = settings.Get<JwtOptions>();
        var limits = settings.Get<RateLimitingOptions>();
        var proxies = settings.Get<ForwardedHeadersSettings>();
        builder.Services.AddSingleton<SecurityTelemetry>();

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
        builder.Services.AddRateLimiter(limiter => ApiRateLimits.Configure(limiter, limits));
        builder.Services.Configure<ForwardedHeadersOptions>(options => ConfigureProxies(options, proxies));
        builder.Services.AddHostedService<SecurityStartup>();
        return builder;
    }

    /// <summary>After UseObservability (refusals are observed like any answer), before the endpoints.</summary>
    public static IApplicationBuilder UseApiSecurity(this IApplicationBuilder app)
    {
        var proxies = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        if (proxies.KnownProxies.Count > 0 || proxies.KnownIPNetworks.Count > 0)
        {
            app.UseForwardedHeaders(); // with no known proxy it would believe anyone: then it is not added
        }

        app.UseAuthentication(); // the subject, for the client's bucket
        app.UseRateLimiter();    // before authorization: a flood of bad tokens is limited too
        app.UseAuthorization();  // 401/403 (ApiRefusals)
        return app;
    }

    /// <summary>Every endpoint of the group needs a valid token (when configured) and is limited and shed.</summary>
    public static TBuilder RequireApiSecurity<TBuilder>(this TBuilder endpoints)
        where TBuilder : IEndpointConventionBuilder
    {
        endpoints.WithMetadata(ApiEndpoint.Instance);
        endpoints.RequireAuthorization(new AuthorizationPolicyBuilder().AddRequirements(new ApiCallerRequirement()).Build());
        endpoints.RequireRateLimiting(ApiRateLimits.PerClientPolicyName);
        return endpoints;
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

    private static void ConfigureProxies(ForwardedHeadersOptions options, ForwardedHeadersSettings proxies)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.KnownProxies.Clear(); // ASP.NET Core trusts loopback by default
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies.KnownProxies)
        {
            if (System.Net.IPAddress.TryParse(proxy, out var address))
            {
                options.KnownProxies.Add(address);
            }
        }

        foreach (var network in proxies.KnownNetworks)
        {
            if (System.Net.IPNetwork.TryParse(network, out var parsed))
            {
                options.KnownIPNetworks.Add(parsed);
            }
        }
    }
}
