using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MonitoredService.Hosting;

public static class ServerLimitsExtensions
{
    /// <summary>
    /// Deliberate request limits, far below Kestrel's defaults (30 MB bodies): an item is a name of
    /// at most 200 characters, so 64 KiB is generous. Larger bodies get 413, larger headers 431,
    /// longer request lines 414. Each value can be overridden with <c>Kestrel:Limits:*</c>.
    /// </summary>
    public static IHostApplicationBuilder AddServerLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MaxRequestBodySize = 64 * 1024;
            options.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            options.Limits.MaxRequestHeaderCount = 64;
            options.Limits.MaxRequestLineSize = 8 * 1024;
        });
        // Registered second, so configuration overrides the defaults above.
        builder.Services.Configure<KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));
        return builder;
    }
}
