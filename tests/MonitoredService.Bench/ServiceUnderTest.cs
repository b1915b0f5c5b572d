using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MonitoredService.Bench;

/// <summary>
/// The built service as a process on 127.0.0.1, in one observability variant; its stdout goes to a
/// file (as a container runtime takes it), so that logging costs what it costs in production.
/// </summary>
internal sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private ServiceUnderTest(Process process, string directory, int port, Variant variant)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Variant = variant;
    }

    public int Port { get; }

    public Variant Variant { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public string StdoutFile => Path.Combine(_directory, "stdout.log");

    /// <summary>Resident memory (VmRSS) now, in MiB.</summary>
    public double ResidentMiB =>
        long.Parse(File.ReadAllLines($"/proc/{_process.Id}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;

    public static ServiceUnderTest Start(string assembly, Variant variant, Uri otlpSink)
    {
        var directory = Directory.CreateTempSubdirectory("monitoredservice-bench-").FullName;
        var port = FreePort();
        var settings = new Dictionary<string, string>
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            ["Store:Path"] = Path.Combine(directory, "items.db"),
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
            ["Observability:Metrics:Enabled"] = variant.Metrics ? "true" : "false",
            ["Observability:Logging:RequestLogging"] = variant.Logs ? "true" : "false",
            ["Observability:Tracing:Enabled"] = variant.Traces ? "true" : "false",
        };
        if (variant.Traces)
        {
            settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpSink.ToString();
            settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            settings["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio";
            settings["OTEL_TRACES_SAMPLER_ARG"] = "0.1";
        }

        // exec: the shell is replaced by the service, whose stdout and stderr are the file.
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = Path.GetDirectoryName(assembly)!, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec dotnet \"$@\" >\"$LOG\" 2>&1");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(assembly);
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["LOG"] = Path.Combine(directory, "stdout.log");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        return new ServiceUnderTest(Process.Start(start)!, directory, port, variant);
    }

    /// <summary>Polls /health/ready every 5 ms; the time from now until it answers 200.</summary>
    public async Task<TimeSpan> WaitUntilReadyAsync(Stopwatch since)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (since.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Variant.Name} exited with {_process.ExitCode}: {File.ReadAllText(StdoutFile)}");
            }

            try
            {
                if ((await client.GetAsync(new Uri(BaseAddress, "/health/ready"))).StatusCode == HttpStatusCode.OK)
                {
                    return since.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"{Variant.Name} was not ready within 60 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Which signals are on.</summary>
internal sealed record Variant(string Name, bool Metrics, bool Logs, bool Traces)
{
    public static readonly Variant AllOff = new("all off", false, false, false);
    public static readonly Variant MetricsOnly = new("metrics only", true, false, false);
    public static readonly Variant LogsOnly = new("request logs only", false, true, false);
    public static readonly Variant TracesOnly = new("traces only (10 %)", false, false, true);
    public static readonly Variant AllOn = new("all on", true, true, true);

    public static readonly Variant[] All = [AllOff, MetricsOnly, LogsOnly, TracesOnly, AllOn];
}
