using System.Net;
using System.Net.Http.Json;

namespace MonitoredService.RealProcess.Tests.Hosting;

/// <summary>
/// The published service as Kubernetes runs it (deploy/k8s: the pod's UID/GID, a read-only root
/// filesystem, only /tmp and the data directory writable), reproduced with bubblewrap (a read-only
/// bind of /, a fresh /tmp, one writable directory) and setpriv (the unprivileged user), both from
/// Debian. It starts, serves and writes its store; a store path outside the writable directory fails
/// start-up, which shows the sandbox is real.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class LeastPrivilegeTests
{
    [Fact]
    public async Task ThePublishedServiceServesAsAnUnprivilegedUserOnAReadOnlyRoot()
    {
        var (uid, gid) = await PodUserAsync();
        var data = await WritableDirectoryAsync(uid, gid);
        try
        {
            await using var service = await StartSandboxedAsync(uid, gid, data, Path.Combine(data, "items.db"));
            await service.WaitUntilReadyAsync();
            using var client = service.CreateClient();

            using var created = await client.PostAsJsonAsync("/api/items", new { name = "least privilege" });
            created.StatusCode.Should().Be(HttpStatusCode.Created);
            (await client.GetAsync(created.Headers.Location)).StatusCode.Should().Be(HttpStatusCode.OK);
            var pid = ServicePid(service);
            var status = File.ReadAllLines($"/proc/{pid}/status");
            status.Single(line => line.StartsWith("Uid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1..].Should().OnlyContain(id => id == uid.ToString());
            status.Single(line => line.StartsWith("Gid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1..].Should().OnlyContain(id => id == gid.ToString());
            status.Single(line => line.StartsWith("CapEff:")).Should().EndWith("0000000000000000", "no capabilities");
            RootMountOptions(pid).Should().Contain("ro");
            (await Tools.RunAsync("stat", ["-c", "%u:%g", Path.Combine(data, "items.db")])).Output.Trim().Should().Be($"{uid}:{gid}");

            Signals.Send(pid, Signals.Terminate);
            (await service.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0, "a graceful exit inside the sandbox too");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task AStorePathOnTheReadOnlyRootFailsStartUpSoTheSandboxIsReal()
    {
        var (uid, gid) = await PodUserAsync();
        var data = await WritableDirectoryAsync(uid, gid);
        try
        {
            var readOnly = Path.Combine(Path.GetDirectoryName(await PublishedService.AssemblyAsync())!, "data", "items.db");
            await using var service = await StartSandboxedAsync(uid, gid, data, readOnly);
            using var client = service.CreateClient();
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    return (await client.GetAsync("/health/live")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false; // not listening yet
                }
            }, "the service should listen");

            await client.WaitForDescriptionAsync("/health/startup", "startup", "Start-up in progress: store migration (failed 2 times; retrying).");
            (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
            service.Stdout.Should().Contain("The SQLite store's directory cannot be created.");
            File.Exists(readOnly).Should().BeFalse();
            // setpriv's change of user clears the parent-death signal bwrap sets, so a service
            // left running when bwrap is killed outlives the test (seen twice): stop it here.
            var pid = ServicePid(service);
            Signals.Send(pid, Signals.Terminate);
            await Eventually.TrueAsync(() => Task.FromResult(!IsRunning(pid)), "the sandboxed service stops on SIGTERM");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<(long Uid, long Gid)> PodUserAsync()
    {
        var pod = (await Manifests.SingleAsync(Manifests.Base, "Deployment"))["spec"]!["template"]!["spec"]!["securityContext"]!;
        return ((long)pod["runAsUser"]!, (long)pod["runAsGroup"]!);
    }

    private static async Task<string> WritableDirectoryAsync(long uid, long gid)
    {
        var data = Directory.CreateTempSubdirectory("monitoredservice-data-").FullName;
        (await Tools.RunAsync("chown", [$"{uid}:{gid}", data])).ExitCode.Should().Be(0, "the tests run as root, as CI does here");
        return data;
    }

    private static async Task<ServiceProcess> StartSandboxedAsync(long uid, long gid, string data, string storePath)
    {
        var assembly = await PublishedService.AssemblyAsync();
        // The fresh /tmp (world-writable, as the pod's emptyDir) hides whatever the host has there,
        // the published build too when the repository itself lives under /tmp (a clone in CI): it
        // is bound back read-only, below directories the pod's user may traverse (bwrap would
        // create them 0700).
        var app = Path.GetDirectoryName(assembly)!;
        string[] traversable = [.. Ancestors(app).Where(directory => directory.StartsWith("/tmp/", StringComparison.Ordinal))
            .SelectMany(directory => new[] { "--perms", "0755", "--dir", directory })];
        return ServiceProcess.Start(
            new Dictionary<string, string> { ["Store:Path"] = storePath, ["Observability:Shutdown:DrainDelay"] = "00:00:00" },
            assembly: assembly,
            wrapper:
            [
                "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp",
                .. traversable, "--ro-bind", app, app, "--bind", data, data, "--die-with-parent", "--",
                "setpriv", $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--inh-caps=-all", "--",
            ]);
    }

    /// <summary>The directories above <paramref name="path"/>, outermost first.</summary>
    private static IEnumerable<string> Ancestors(string path)
    {
        var parents = new List<string>();
        for (var parent = Path.GetDirectoryName(path); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            parents.Add(parent);
        }

        return Enumerable.Reverse(parents);
    }

    /// <summary>The service's own process inside the sandbox (bwrap's child): the one listening on its port.</summary>
    private static int ServicePid(ServiceProcess service) =>
        Directory.GetDirectories("/proc").Select(path => Path.GetFileName(path)).Where(name => name.All(char.IsAsciiDigit)).Select(name => int.Parse(name))
            .Single(pid =>
            {
                try
                {
                    var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
                    return commandLine.StartsWith("dotnet\0", StringComparison.Ordinal) && commandLine.Contains($"127.0.0.1:{service.BaseAddress.Port}");
                }
                catch (IOException)
                {
                    return false;
                }
            });

    /// <summary>Whether the process exists and has not exited (a zombie waiting for its parent has).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The mount options of / as the process sees it.</summary>
    private static string RootMountOptions(int pid) =>
        File.ReadAllLines($"/proc/{pid}/mountinfo").Select(line => line.Split(' ')).First(fields => fields[4] == "/")[5];
}
