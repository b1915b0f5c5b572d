using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MonitoredService.Observability.Management;

/// <summary>
/// <c>GET /info</c>: what exactly is running. Only facts of the build, the runtime and the process:
/// never a configuration value, so that nothing here can be a secret.
/// </summary>
internal static class InfoEndpoint
{
    public const string Path = "/info";

    public static IEndpointConventionBuilder MapInfo(this IEndpointRouteBuilder endpoints, ServiceIdentity identity, TimeProvider time)
    {
        var started = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime(), TimeSpan.Zero);
        return endpoints.MapGet(Path, context => context.Response.WriteAsJsonAsync(new
        {
            service = new { name = identity.Name, version = identity.Version, environment = identity.Environment, instance = identity.InstanceId },
            build = new { commit = identity.Commit, time = identity.BuildTime },
            runtime = new { dotnet = Environment.Version.ToString(), os = RuntimeInformation.OSDescription },
            process = new { startTime = started.ToString("O"), uptimeSeconds = Math.Round((time.GetUtcNow() - started).TotalSeconds, 3) },
        }, context.RequestAborted));
    }
}
