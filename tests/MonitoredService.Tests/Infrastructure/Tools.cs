using System.Diagnostics;

namespace MonitoredService.Tests.Infrastructure;

/// <summary>
/// Command-line tools the test command installs: promtool (Debian's prometheus package) and amtool
/// (prometheus-alertmanager). A missing tool fails the test; it is never skipped.
/// </summary>
public static class Tools
{
    public static Task<(int ExitCode, string Output)> PromtoolAsync(params string[] arguments) => RunAsync("promtool", null, arguments);

    public static Task<(int ExitCode, string Output)> PromtoolWithInputAsync(string stdin, params string[] arguments) => RunAsync("promtool", stdin, arguments);

    public static Task<(int ExitCode, string Output)> AmtoolAsync(params string[] arguments) => RunAsync("amtool", null, arguments);

    private static async Task<(int ExitCode, string Output)> RunAsync(string tool, string? stdin, string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)
            ?? throw new InvalidOperationException($"{tool} did not start; the test command (tests/run.sh) installs it.");
        await process.StandardInput.WriteAsync(stdin ?? "");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
