using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace MonitoredService.Testing;

/// <summary>
/// A throw-away PostgreSQL server for the tests: Debian's binaries (the test command installs the
/// postgresql package), a cluster initialised in a temporary directory, listening on 127.0.0.1 and a
/// free port, run as the unprivileged postgres user when the tests run as root (PostgreSQL refuses
/// to run as root). It can be stopped and started again, for outage tests.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string User = "monitoredservice";
    private const string OsUser = "postgres";

    private readonly string _bin;
    private readonly DirectoryInfo _directory;
    private System.Diagnostics.Process? _server;

    private PostgresServer(string bin, DirectoryInfo directory, string password, int port)
    {
        _bin = bin;
        _directory = directory;
        Password = password;
        Port = port;
    }

    public string Password { get; }

    public int Port { get; }

    public string DataDirectory => Path.Combine(_directory.FullName, "data");

    public static async Task<PostgresServer> StartNewAsync(string? password = null)
    {
        var bin = FindBinaries();
        var directory = Directory.CreateTempSubdirectory("monitoredservice-pg-");
        var server = new PostgresServer(bin, directory, password ?? $"pw-{Guid.NewGuid():N}", ServiceProcess.FreePort());
        var passwordFile = Path.Combine(directory.FullName, "password");
        await File.WriteAllTextAsync(passwordFile, server.Password);
        if (RunningAsRoot)
        {
            await RunAsync("chown", "-R", $"{OsUser}:{OsUser}", directory.FullName);
        }

        await server.RunToolAsync("initdb", "-D", server.DataDirectory, "-U", User, $"--pwfile={passwordFile}",
            "--auth=scram-sha-256", "-E", "UTF8", "--no-sync");
        await server.StartAsync();
        return server;
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={User};Password={Password};Database={database}";

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async Task StartAsync()
    {
        var start = Command("postgres", "-D", DataDirectory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", _directory.FullName, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=300");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        _server = System.Diagnostics.Process.Start(start)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false;Timeout=2");
                await connection.OpenAsync();
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException && clock.Elapsed < TimeSpan.FromSeconds(30) && !_server.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Fast shutdown (SIGINT): open connections are closed, as in a database outage.</summary>
    public async Task StopAsync()
    {
        if (_server is { HasExited: false } server)
        {
            Signals.Send(server.Id, Signals.Interrupt);
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(bounded.Token);
        }

        _server = null;
    }

    /// <summary>
    /// A hung server (SIGSTOP to the postmaster and every backend): connections are accepted by the
    /// kernel and queries are sent, but nothing ever answers, until <see cref="Thaw"/>.
    /// </summary>
    public void Freeze() => SignalAll(Signals.Stop);

    public void Thaw() => SignalAll(Signals.Continue);

    private void SignalAll(int signal)
    {
        var postmaster = _server?.Id ?? throw new InvalidOperationException("The server is not running.");
        Signals.Send(postmaster, signal);
        foreach (var child in Children(postmaster))
        {
            Signals.SendIfRunning(child, signal); // a backend may end between the listing and the signal
        }
    }

    private static IEnumerable<int> Children(int parent) =>
        Directory.GetDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name =>
            {
                try
                {
                    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
                    var stat = File.ReadAllText($"/proc/{name}/stat");
                    var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                    return (Pid: int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture), Parent: ppid);
                }
                catch (IOException)
                {
                    return (Pid: 0, Parent: 0); // the process ended meanwhile
                }
            })
            .Where(process => process.Parent == parent)
            .Select(process => process.Pid)
            .ToArray();

    public async ValueTask DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            Thaw();
        }

        await StopAsync();
        _directory.Delete(recursive: true);
    }

    private static bool RunningAsRoot => Signals.EffectiveUserId() == 0;

    private static string FindBinaries()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(version => Path.Combine(version, "bin"))
                .Where(candidate => File.Exists(Path.Combine(candidate, "postgres"))).OrderDescending().FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL's server binaries are not installed; the test command (tests/run.sh) installs Debian's postgresql package.");
    }

    private ProcessStartInfo Command(string tool, params string[] arguments)
    {
        var start = RunningAsRoot
            ? new ProcessStartInfo("setpriv", ["--reuid", OsUser, "--regid", OsUser, "--init-groups", Path.Combine(_bin, tool), .. arguments])
            : new ProcessStartInfo(Path.Combine(_bin, tool), arguments);
        start.UseShellExecute = false;
        return start;
    }

    private async Task RunToolAsync(string tool, params string[] arguments)
    {
        var start = Command(tool, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    private static async Task RunAsync(string tool, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new ProcessStartInfo(tool, arguments) { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}).");
        }
    }
}

/// <summary>One PostgreSQL server for the whole test run, started on first use, stopped when the run ends.</summary>
public static class SharedPostgres
{
    private static readonly Lazy<Task<PostgresServer>> Server = new(async () =>
    {
        var server = await PostgresServer.StartNewAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    });

    /// <summary>A fresh database on the shared server, for one test class or test.</summary>
    public static async Task<string> CreateDatabaseAsync() =>
        await (await Server.Value).CreateDatabaseAsync($"items_{Guid.NewGuid():N}");
}
