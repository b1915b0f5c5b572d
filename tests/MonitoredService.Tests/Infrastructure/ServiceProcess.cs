using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MonitoredService.Tests.Infrastructure;

/// <summary>
/// The built service as a real process on 127.0.0.1 and a free port: for what only a process shows
/// (signals, exit codes, stdout, Kestrel's own limits). Killed on dispose if it is still running.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _dataDirectory;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ServiceProcess(Process process, DirectoryInfo dataDirectory, int port)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        _process.OutputDataReceived += (_, line) => Append(_stdout, line.Data);
        _process.ErrorDataReceived += (_, line) => Append(_stderr, line.Data);
    }

    public Uri BaseAddress { get; }

    public string Stdout => Read(_stdout);

    public string Stderr => Read(_stderr);

    public bool HasExited => _process.HasExited;

    /// <summary>The resident memory of the process (VmRSS), in bytes.</summary>
    public long ResidentBytes =>
        long.Parse(File.ReadAllLines($"/proc/{_process.Id}/status").Single(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    /// <summary>
    /// Starts the service with <paramref name="settings"/> as command-line configuration, on a free
    /// port or the given one; from the build output or another <paramref name="assembly"/>, and
    /// through a <paramref name="wrapper"/> command (a sandbox) when given.
    /// </summary>
    public static ServiceProcess Start(
        IReadOnlyDictionary<string, string>? settings = null, int? port = null, string? assembly = null, IReadOnlyList<string>? wrapper = null)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("monitoredservice-process-");
        port ??= FreePort();
        var all = new Dictionary<string, string>
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            ["Store:Path"] = Path.Combine(dataDirectory.FullName, "items.db"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        assembly ??= ServiceBinaries.Assembly;
        string[] command = [.. wrapper ?? [], "dotnet", assembly];
        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command[1..])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in all)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        var process = new Process { StartInfo = start };
        var service = new ServiceProcess(process, dataDirectory, port.Value);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>A client for this process that opens a new connection for every request.</summary>
    public HttpClient CreateClient(TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero })
        {
            BaseAddress = BaseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };

    /// <summary>Waits until /health/ready answers 200; fails with the process output if it exits first.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? bound = null)
    {
        using var client = CreateClient(TimeSpan.FromSeconds(2));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (bound ?? TimeSpan.FromSeconds(30)))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {_process.ExitCode}.\n{Stdout}\n{Stderr}");
            }

            try
            {
                if ((await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The service was not ready in time.\n{Stdout}\n{Stderr}");
    }

    /// <summary>Sends SIGTERM, as Kubernetes does when it stops a pod.</summary>
    public void Terminate() => Signals.Send(_process.Id, Signals.Terminate);

    /// <summary>The exit code, once the process has exited within <paramref name="bound"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    /// <summary>The data directory this process may write (its SQLite file's, by default).</summary>
    public string DataDirectory => _dataDirectory.FullName;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _dataDirectory.Delete(recursive: true);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
