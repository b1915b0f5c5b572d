using System.Diagnostics;

namespace MonitoredService.Testing;

/// <summary>
/// Command-line tools the tests run: promtool (Debian's prometheus package), amtool
/// (prometheus-alertmanager), shellcheck, docker-compose (installed by the test command), kubectl
/// and bash (on the machine). A missing tool fails the test; it is never skipped.
/// </summary>
public static class Tools
{
    /// <summary>What a tool did: its exit code, standard output and standard error.</summary>
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    public static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] arguments) => Merged(await RunAsync("promtool", arguments));

    public static async Task<(int ExitCode, string Output)> PromtoolWithInputAsync(string stdin, params string[] arguments) =>
        Merged(await RunAsync("promtool", arguments, stdin));

    public static async Task<(int ExitCode, string Output)> AmtoolAsync(params string[] arguments) => Merged(await RunAsync("amtool", arguments));

    /// <summary>Runs a tool in the repository root (bounded: two minutes unless <paramref name="timeout"/> says otherwise).</summary>
    public static async Task<Result> RunAsync(
        string tool, IEnumerable<string> arguments, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)
            ?? throw new InvalidOperationException($"{tool} did not start; the test command (tests/run.sh) installs it.");
        await process.StandardInput.WriteAsync(stdin ?? "");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true); // a hung tool and its children do not outlive the test
            throw;
        }

        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Runs a build-tool step in <paramref name="directory"/> (the .NET CLI without telemetry or banner),
    /// tells <paramref name="log"/> the command and its exit code, and fails the test with the output's
    /// last 60 lines unless it exits 0. Returns its output.
    /// </summary>
    public static async Task<string> RunOrFailAsync(string directory, Action<string> log, TimeSpan? timeout, string tool, params string[] arguments)
    {
        var result = await RunAsync(tool, arguments, workingDirectory: directory, timeout: timeout,
            environment: new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" });
        log($"$ {tool} {string.Join(' ', arguments)} -> {result.ExitCode}");
        result.ExitCode.Should().Be(0, $"{tool} {string.Join(' ', arguments)} failed:\n{string.Join('\n', result.All.Split('\n').TakeLast(60))}");
        return result.All;
    }

    /// <summary>Makes <paramref name="directory"/> a git repository with everything in it committed (what a build stamps its commit from).</summary>
    public static async Task CommitAllAsync(string directory, Action<string> log, string message)
    {
        await RunOrFailAsync(directory, log, null, "git", "init", "--quiet");
        await RunOrFailAsync(directory, log, null, "git", "add", "--all");
        await RunOrFailAsync(directory, log, null, "git", "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "--message", message);
    }

    private static (int ExitCode, string Output) Merged(Result result) => (result.ExitCode, result.All);
}
