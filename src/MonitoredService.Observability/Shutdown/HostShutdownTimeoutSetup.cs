using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MonitoredService.Observability.Options;

namespace MonitoredService.Observability.Shutdown;

/// <summary>
/// Sets the host's shutdown timeout to DrainDelay + Timeout. The host reads its options while it is
/// being built, before logging works and before options are validated, so this binds the section
/// without validation: a bad value is then reported, and logged, by ValidateOnStart like any other.
/// </summary>
internal sealed class HostShutdownTimeoutSetup(IConfiguration configuration) : IConfigureOptions<HostOptions>
{
    public void Configure(HostOptions options)
    {
        var shutdown = configuration.ReadOrDefaults<ShutdownOptions>();
        options.ShutdownTimeout = shutdown.DrainDelay + shutdown.Timeout;
    }
}
