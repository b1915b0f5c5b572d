using System.Globalization;

namespace MonitoredService.RealProcess.Tests.Hosting;

/// <summary>
/// The runbooks' diagnostics, for real: the published service in the pod's sandbox (unprivileged
/// UID, read-only root, its own /tmp), and the .NET diagnostic tools (installed from NuGet by the
/// test command) run as the same UID from outside that sandbox, finding the diagnostic socket in the
/// service's /tmp as an ephemeral debug container does (docs/diagnostics.md). A counter snapshot, a
/// gcdump and a short trace are written on the tool's side; a mini dump by the runtime into its /tmp.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class DiagnosticsTests
{
    private static string Tools(string tool) => Repository.Path("artifacts", "diagnostic-tools", tool);

    [Fact]
    public async Task CountersAGcdumpATraceAndAMiniDumpFromTheSandboxedService()
    {
        var (uid, gid) = await PodSandbox.PodUserAsync();
        var data = await PodSandbox.WritableDirectoryAsync(uid, gid);
        try
        {
            await using var service = await PodSandbox.StartAsync(uid, gid, data, Path.Combine(data, "items.db"));
            await service.WaitUntilReadyAsync();
            var pid = PodSandbox.ServicePid(service);
            var podTmp = $"/proc/{pid}/root/tmp";
            Directory.GetFiles(podTmp, $"dotnet-diagnostic-{pid}-*-socket").Should().ContainSingle("the runtime listens in the pod's /tmp");

            var counters = await RunAsync(uid, gid, podTmp, data, "dotnet-counters", "collect", "-p", Id(pid), "--duration", "00:00:03", "--format", "csv", "-o", Path.Combine(data, "counters.csv"));
            File.ReadAllText(Path.Combine(data, "counters.csv")).Should().Contain("System.Runtime").And.Contain("dotnet.gc.heap.total_allocated", counters);

            var gcdump = await RunAsync(uid, gid, podTmp, data, "dotnet-gcdump", "collect", "-p", Id(pid), "-o", Path.Combine(data, "heap.gcdump"));
            new FileInfo(Path.Combine(data, "heap.gcdump")).Length.Should().BeGreaterThan(100_000, gcdump);

            var trace = await RunAsync(uid, gid, podTmp, data, "dotnet-trace", "collect", "-p", Id(pid), "--duration", "00:00:00:03", "-o", Path.Combine(data, "cpu.nettrace"));
            new FileInfo(Path.Combine(data, "cpu.nettrace")).Length.Should().BeGreaterThan(100_000, trace);

            // The runtime writes a dump itself, at a path of its own filesystem: the pod's /tmp.
            var dump = await RunAsync(uid, gid, podTmp, data, "dotnet-dump", "collect", "-p", Id(pid), "--type", "Mini", "-o", "/tmp/core.dmp");
            new FileInfo(Path.Combine(podTmp, "core.dmp")).Length.Should().BeGreaterThan(1_000_000, dump);
            new FileInfo(Path.Combine(podTmp, "core.dmp")).Length.Should().BeLessThan(64L * 1024 * 1024, "a mini dump fits the pod's 64Mi /tmp");

            (await service.CreateClient().GetAsync("/health/ready")).IsSuccessStatusCode.Should().BeTrue("the service keeps serving");
            Signals.Send(pid, Signals.Terminate);
            await Eventually.TrueAsync(() => Task.FromResult(!PodSandbox.IsRunning(pid)), "the sandboxed service stops on SIGTERM");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static string Id(int pid) => pid.ToString(CultureInfo.InvariantCulture);

    /// <summary>A diagnostic tool as the pod's user, finding the socket in <paramref name="podTmp"/> (TMPDIR); its output.</summary>
    private static async Task<string> RunAsync(long uid, long gid, string podTmp, string home, string tool, params string[] arguments)
    {
        File.Exists(Tools(tool)).Should().BeTrue($"the test command installs {tool} into artifacts/diagnostic-tools");
        var result = await MonitoredService.Testing.Tools.RunAsync("setpriv",
            [$"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--", Tools(tool), .. arguments],
            environment: new Dictionary<string, string>
            {
                ["TMPDIR"] = podTmp,
                ["HOME"] = home,
                ["DOTNET_ROOT"] = Path.GetDirectoryName(Environment.ProcessPath) is { } host && File.Exists(Path.Combine(host, "dotnet")) ? host : "/usr/share/dotnet",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            });
        result.ExitCode.Should().Be(0, $"{tool} {string.Join(' ', arguments)}: {result.All}");
        return result.All;
    }
}
