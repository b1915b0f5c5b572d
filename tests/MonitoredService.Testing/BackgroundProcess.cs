using System.Diagnostics;
using System.Net;

namespace MonitoredService.Testing;

/// <summary>A tool run as a server for a test (Prometheus, Alertmanager, the exporters), its output kept in a log file.</summary>
public sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private BackgroundProcess(Process process, StreamWriter log, string logPath)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public string LogPath { get; }

    /// <summary>Starts <paramref name="tool"/> in <paramref name="workingDirectory"/> (the test's own when null: a .NET app takes it as its content root).</summary>
    public static BackgroundProcess Start(
        string tool, IEnumerable<string> arguments, string logPath, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start; the test command (tests/run.sh) installs it.");
        process.OutputDataReceived += (_, line) => Write(log, line.Data);
        process.ErrorDataReceived += (_, line) => Write(log, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new BackgroundProcess(process, log, logPath);
    }

    /// <summary>Waits until <paramref name="url"/> answers 200 (bounded).</summary>
    public async Task WaitUntilReadyAsync(Uri url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.TrueAsync(async () =>
        {
            _process.HasExited.Should().BeFalse($"{Path.GetFileName(LogPath)} exited: {File.ReadAllText(LogPath)}");
            try
            {
                return (await client.GetAsync(url)).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"{url} should answer");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signals.Send(_process.Id, Signals.Terminate);
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(bounded.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        // The output ends when every process holding it has gone. A child that outlives the tool (a
        // shell that ran it without exec) keeps it open: a test's mistake, told rather than waited for.
        try
        {
            await Task.Run(() => _process.WaitForExit()).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(LogPath)}: the tool exited, but a process it started still holds its output (run it with exec)");
        }

        _process.Dispose();
        await _log.DisposeAsync();
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }
}
