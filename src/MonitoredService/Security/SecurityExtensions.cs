using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
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
        var limits = settings.Get<RateLimitingOptions>();
        var proxies = settings.Get<ForwardedHeadersSettings>();
        builder.Services.AddSingleton<SecurityTelemetry>();
#if (WithAuth)
        builder.AddApiAuthentication(settings.Get<JwtOptions>());
#endif
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

#if (WithAuth)
        app.UseAuthentication(); // the subject, for the client's bucket
#endif
        app.UseRateLimiter();    // before authorization: a flood of bad tokens is limited too
#if (WithAuth)
        app.UseAuthorization();  // 401/403 (ApiRefusals)
#endif
        return app;
    }

    /// <summary>Every endpoint of the group needs a valid token (when configured) and is limited and shed.</summary>
    public static TBuilder RequireApiSecurity<TBuilder>(this TBuilder endpoints)
        where TBuilder : IEndpointConventionBuilder
    {
        endpoints.WithMetadata(ApiEndpoint.Instance);
#if (WithAuth)
        endpoints.RequireAuthorization(ApiAuthentication.CallerPolicy);
#endif
        endpoints.RequireRateLimiting(ApiRateLimits.PerClientPolicyName);
        return endpoints;
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
