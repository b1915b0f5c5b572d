using System.Globalization;

namespace MonitoredService.Observability.Health;

/// <summary>
/// <c>MonitoredService healthcheck [live|ready|startup]</c>: asks the service running in the same
/// container for a probe and exits 0 when it answers 200, 1 otherwise. It is Docker's HEALTHCHECK:
/// chiseled images have no shell and no curl, so the service binary is its own client. It builds no
/// host and reads no configuration file: only the port (<c>ASPNETCORE_HTTP_PORTS</c>, first entry,
/// default 8080), so it costs a process start and one loopback request.
/// </summary>
public static class HealthCheckCommand
{
    /// <summary>The first argument that asks for the health check instead of the service.</summary>
    public const string Verb = "healthcheck";

    /// <summary>Longer than a dependency check's timeout (2 s), shorter than Docker's default (30 s).</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Whether the command line asks for the health check.</summary>
    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Verb;

    /// <summary>Runs the health check, writing one line of outcome: 0 when the probe answered 200, 1 when not, 2 on a bad argument or port.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        string? path = args.ElementAtOrDefault(1) switch
        {
            null or "ready" => HealthPaths.Ready,
            "live" => HealthPaths.Live,
            "startup" => HealthPaths.Startup,
            _ => null,
        };
        if (path is null)
        {
            output.WriteLine($"healthcheck: unknown probe '{args[1]}': use live, ready or startup");
            return 2;
        }

        var port = Port(Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS"));
        if (port is null)
        {
            output.WriteLine("healthcheck: ASPNETCORE_HTTP_PORTS is not a port list");
            return 2;
        }

        var url = new Uri($"http://127.0.0.1:{port}{path}");
        using var client = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(url);
            output.WriteLine($"healthcheck: {url} answered {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            output.WriteLine($"healthcheck: {url} did not answer ({(ex is TaskCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : ex.Message)})");
            return 1;
        }
    }

    /// <summary>The first port of <c>ASPNETCORE_HTTP_PORTS</c> ("8080;8081"), 8080 when unset.</summary>
    private static int? Port(string? ports)
    {
        if (string.IsNullOrWhiteSpace(ports))
        {
            return 8080;
        }

        var first = ports.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536 ? port : null;
    }
}
