namespace MonitoredService.RealProcess.Tests.Hosting;

/// <summary>
/// The published service as Kubernetes runs it (deploy/k8s: the pod's UID/GID, a read-only root
/// filesystem, a fresh /tmp as the pod's emptyDir, one writable data directory), reproduced with
/// bubblewrap and setpriv from Debian.
/// </summary>
public static class PodSandbox
{
    public static async Task<(long Uid, long Gid)> PodUserAsync()
    {
        var pod = (await Manifests.SingleAsync(Manifests.Base, "Deployment"))["spec"]!["template"]!["spec"]!["securityContext"]!;
        return ((long)pod["runAsUser"]!, (long)pod["runAsGroup"]!);
    }

    public static async Task<string> WritableDirectoryAsync(long uid, long gid)
    {
        var data = Directory.CreateTempSubdirectory("monitoredservice-data-").FullName;
        (await Tools.RunAsync("chown", [$"{uid}:{gid}", data])).ExitCode.Should().Be(0, "the tests run as root, as CI does here");
        return data;
    }

    public static async Task<ServiceProcess> StartAsync(long uid, long gid, string data, string storePath)
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
    public static int ServicePid(ServiceProcess service) =>
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
    public static bool IsRunning(int pid)
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
}
