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
        var (uid, gid) = await PodSandbox.PodUserAsync();
        var data = await PodSandbox.WritableDirectoryAsync(uid, gid);
        try
        {
            await using var service = await PodSandbox.StartAsync(uid, gid, data, Path.Combine(data, "items.db"));
            await service.WaitUntilReadyAsync();
            using var client = service.CreateClient();

            using var created = await client.PostAsJsonAsync("/api/items", new { name = "least privilege" });
            created.StatusCode.Should().Be(HttpStatusCode.Created);
            (await client.GetAsync(created.Headers.Location)).StatusCode.Should().Be(HttpStatusCode.OK);
            var pid = PodSandbox.ServicePid(service);
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
        var (uid, gid) = await PodSandbox.PodUserAsync();
        var data = await PodSandbox.WritableDirectoryAsync(uid, gid);
        try
        {
            var readOnly = Path.Combine(Path.GetDirectoryName(await PublishedService.AssemblyAsync())!, "data", "items.db");
            await using var service = await PodSandbox.StartAsync(uid, gid, data, readOnly);
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
            var pid = PodSandbox.ServicePid(service);
            Signals.Send(pid, Signals.Terminate);
            await Eventually.TrueAsync(() => Task.FromResult(!PodSandbox.IsRunning(pid)), "the sandboxed service stops on SIGTERM");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The mount options of / as the process sees it.</summary>
    private static string RootMountOptions(int pid) =>
        File.ReadAllLines($"/proc/{pid}/mountinfo").Select(line => line.Split(' ')).First(fields => fields[4] == "/")[5];
}
