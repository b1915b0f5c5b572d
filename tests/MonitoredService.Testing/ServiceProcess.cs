using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MonitoredService.Testing;

/// <summary>
/// The service as a real process on 127.0.0.1 and a free port: for what only a process shows
/// (signals, exit codes, stdout, Kestrel's own limits), and for the benchmark harness. Its output is
/// captured in memory, or written to a file as a container runtime takes it (so that logging costs
/// what it costs in production). Killed on dispose if it is still running; its data directory goes too.
/// The one launcher: the tests and tests/MonitoredService.Bench share it.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _dataDirectory;
    private readonly Stopwatch _sinceStart;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ServiceProcess(Process process, DirectoryInfo dataDirectory, int port, string? outputFile)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        OutputFile = outputFile;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        _process.OutputDataReceived += (_, line) => Append(_stdout, line.Data);
        _process.ErrorDataReceived += (_, line) => Append(_stderr, line.Data);
        _sinceStart = Stopwatch.StartNew();
        StartOnAThreadOfItsOwn(_process);
        if (outputFile is null)
        {
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }
    }

    /// <summary>
    /// Starts <paramref name="process"/> from a thread that lives until it exits. A child that asks
    /// for a parent-death signal (bwrap's --die-with-parent, PR_SET_PDEATHSIG) gets it when the
    /// <em>thread</em> that forked it ends (prctl(2)), and a thread-pool thread retires when idle:
    /// the sandboxed service was SIGKILLed (exit 137) at random, a second or a minute after start.
    /// </summary>
    private static void StartOnAThreadOfItsOwn(Process process)
    {
        using var started = new ManualResetEventSlim();
        Exception? failure = null;
        var parent = new Thread(() =>
        {
            try
            {
                process.Start();
            }
            catch (Exception exception)
            {
                failure = exception;
                return;
            }
            finally
            {
                started.Set();
            }

            process.WaitForExit();
        })
        {
            IsBackground = true,
            Name = "service process parent",
        };
        parent.Start();
        started.Wait();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    public Uri BaseAddress { get; }

    public int Port => BaseAddress.Port;

    public int ProcessId => _process.Id;

    /// <summary>Where stdout and stderr go, when they go to a file (in the data directory; see <see cref="Start"/>).</summary>
    public string? OutputFile { get; }

    /// <summary>What the process wrote to stdout (with stderr, when both go to <see cref="OutputFile"/>).</summary>
    public string Stdout => OutputFile is null ? Read(_stdout) : File.ReadAllText(OutputFile);

    public string Stderr => OutputFile is null ? Read(_stderr) : "";

    public bool HasExited => _process.HasExited;

    /// <summary>The data directory this process may write (its SQLite file's, by default).</summary>
    public string DataDirectory => _dataDirectory.FullName;

    /// <summary>The resident memory of the process (VmRSS), in bytes.</summary>
    public long ResidentBytes =>
        long.Parse(File.ReadAllLines($"/proc/{_process.Id}/status").Single(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    /// <summary>
    /// The CPU time the process has used so far, user and system (utime + stime of /proc/pid/stat):
    /// divided by the requests it served in between, the benchmarks' steadiest figure.
    /// </summary>
    public TimeSpan CpuTime
    {
        get
        {
            var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // the command may hold spaces
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / (double)Signals.ClockTicksPerSecond);
        }
    }

    /// <summary>
    /// Each live thread's CPU time (utime + stime of /proc/pid/task/tid/stat) and the context switches
    /// of all of them (voluntary and not, from each task's status), for the benchmarks' "where does
    /// the CPU go" table. A thread that exits between two snapshots takes its time with it; the
    /// process total (<see cref="CpuTime"/>) keeps it.
    /// </summary>
    public ThreadSnapshot Threads()
    {
        var cpu = new Dictionary<(string Name, int Id), TimeSpan>();
        long switches = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                cpu[(name, int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture))] = TimeSpan.FromSeconds(ticks / (double)Signals.ClockTicksPerSecond);
                switches += File.ReadLines(Path.Combine(task, "status"))
                    .Where(line => line.Contains("ctxt_switches:", StringComparison.Ordinal)) // voluntary_ and nonvoluntary_
                    .Sum(line => long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
            {
                // the thread exited while we read it
            }
        }

        return new ThreadSnapshot(cpu, switches);
    }

    /// <summary>
    /// Starts the service with <paramref name="settings"/> as command-line configuration, on a free
    /// port or the given one; from the build output or another <paramref name="assembly"/>; through
    /// a <paramref name="wrapper"/> command (a sandbox) when given; with stdout and stderr captured,
    /// or in a file (<paramref name="outputToFile"/>, <see cref="OutputFile"/>).
    /// </summary>
    public static ServiceProcess Start(
        IReadOnlyDictionary<string, string>? settings = null,
        int? port = null,
        string? assembly = null,
        IReadOnlyList<string>? wrapper = null,
        bool outputToFile = false)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("monitoredservice-process-");
        var outputFile = outputToFile ? Path.Combine(dataDirectory.FullName, "output.log") : null;
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
        if (outputFile is not null)
        {
            // exec: the shell is replaced by the service, whose stdout and stderr are the file.
            command = ["/bin/sh", "-c", "exec \"$@\" >\"$SERVICE_OUTPUT\" 2>&1", "sh", .. command];
        }

        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = outputFile is null,
            RedirectStandardError = outputFile is null,
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

        if (outputFile is not null)
        {
            start.Environment["SERVICE_OUTPUT"] = outputFile;
        }

        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        return new ServiceProcess(new Process { StartInfo = start }, dataDirectory, port.Value, outputFile);
    }

    /// <summary>A client for this process that opens a new connection for every request.</summary>
    public HttpClient CreateClient(TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero })
        {
            BaseAddress = BaseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };

    /// <summary>
    /// Polls /health/ready every <paramref name="poll"/> (50 ms) until it answers 200, and returns the
    /// time since the process was started; fails with the process output if it exits first.
    /// </summary>
    public async Task<TimeSpan> WaitUntilReadyAsync(TimeSpan? bound = null, TimeSpan? poll = null)
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
                    return _sinceStart.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(50));
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

/// <summary>CPU time per thread (name as the kernel keeps it, at most 15 characters; id) and context switches, at one moment.</summary>
public sealed record ThreadSnapshot(IReadOnlyDictionary<(string Name, int Id), TimeSpan> Cpu, long ContextSwitches)
{
    /// <summary>
    /// The CPU each kind of thread used since <paramref name="before"/>, by name without its digits
    /// (".NET TP Worker", ".NET Sockets", "stdout log writ"…).
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> Since(ThreadSnapshot before) =>
        Cpu.GroupBy(thread => Kind(thread.Key.Name))
            .ToDictionary(kind => kind.Key, kind => kind.Aggregate(TimeSpan.Zero,
                (sum, thread) => sum + thread.Value - before.Cpu.GetValueOrDefault(thread.Key, TimeSpan.Zero)));

    private static string Kind(string name) => string.Concat(name.Where(c => !char.IsDigit(c))).Trim();
}
