using System.ComponentModel.DataAnnotations;
using System.Net;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Security;

/// <summary>
/// The proxies whose <c>X-Forwarded-For</c>/<c>-Proto</c> are believed (<c>ForwardedHeaders</c>). None
/// configured (the default), no forwarded header is: a client cannot choose the address its rate
/// limit is kept under by sending one. ASP.NET Core's own default would trust loopback.
/// </summary>
public sealed class ForwardedHeadersSettings : IOptionsSection, IValidatableObject
{
    public static string SectionName => "ForwardedHeaders";

    /// <summary>Addresses of trusted proxies (an ingress controller's pods, a load balancer).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies, in CIDR form (<c>10.0.0.0/8</c>).</summary>
    public string[] KnownNetworks { get; set; } = [];

    public bool IsEnabled => KnownProxies.Length > 0 || KnownNetworks.Length > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (KnownProxies.Any(proxy => !IPAddress.TryParse(proxy, out _)))
        {
            yield return new("not an IP address.", [nameof(KnownProxies)]);
        }

        if (KnownNetworks.Any(network => !IPNetwork.TryParse(network, out _)))
        {
            yield return new("not a network in CIDR form.", [nameof(KnownNetworks)]);
        }
    }
}
