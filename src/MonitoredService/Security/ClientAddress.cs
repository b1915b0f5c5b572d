namespace MonitoredService.Security;

/// <summary>The client's address as an operator reads it: IPv4 without its IPv6 mapping (after known proxies are resolved).</summary>
public static class ClientAddress
{
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        var address => address.ToString(),
    };
}
