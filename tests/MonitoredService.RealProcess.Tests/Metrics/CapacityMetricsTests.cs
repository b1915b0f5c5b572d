namespace MonitoredService.RealProcess.Tests.Metrics;

/// <summary>
/// The service's own capacity metrics, from a real process: under a cgroup memory limit this test
/// creates (this machine's memory controller is cgroup v1, writable as root; on v2 the same with
/// memory.max), it exports that limit; and the store volume is the SQLite file's filesystem.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class CapacityMetricsTests
{
    private const long Limit = 768L * 1024 * 1024;

    [Fact]
    public async Task UnderACgroupMemoryLimitTheServiceExportsThatLimit()
    {
        await using var service = ServiceProcess.Start();
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();
        var before = (await Exposition.ScrapeAsync(client)).Value("monitoredservice_memory_limit_bytes");

        var cgroup = CreateCgroupWithLimit(Limit);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(cgroup, "cgroup.procs"), service.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

            (await Exposition.ScrapeAsync(client)).Value("monitoredservice_memory_limit_bytes").Should().Be(Limit, "read at every scrape");
            before.Should().BeGreaterThan(Limit, "before, the machine's memory (or a larger limit)");
        }
        finally
        {
            service.Terminate();
            await service.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await Eventually.TrueAsync(() => Task.FromResult(TryRemove(cgroup)), "the emptied cgroup is removed");
        }
    }

#if (SampleApi)
    [Fact]
    public async Task TheStoreVolumeIsTheSqliteFilesFilesystem()
    {
        var data = Directory.CreateTempSubdirectory("monitoredservice-volume-");
        try
        {
            await using var service = ServiceProcess.Start(new Dictionary<string, string> { ["Store:Path"] = Path.Combine(data.FullName, "items.db") });
            await service.WaitUntilReadyAsync();
            using var client = service.CreateClient();

            var metrics = await Exposition.ScrapeAsync(client);
            var drive = new DriveInfo(data.FullName);
            metrics.Value("monitoredservice_store_volume_size_bytes").Should().Be(drive.TotalSize);
            metrics.Value("monitoredservice_store_volume_free_bytes").Should().BeApproximately(drive.AvailableFreeSpace, 64L * 1024 * 1024, "other writers move it a little");
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }
#endif

    /// <summary>A child of this process's memory cgroup with the limit set; its directory.</summary>
    private static string CreateCgroupWithLimit(long bytes)
    {
        var lines = File.ReadAllLines("/proc/self/cgroup");
        var name = $"monitoredservice-test-{Guid.NewGuid():N}";
        if (lines.FirstOrDefault(l => l.Split(':')[1].Split(',').Contains("memory")) is { } v1 && Directory.Exists("/sys/fs/cgroup/memory"))
        {
            var directory = Path.Combine("/sys/fs/cgroup/memory" + v1.Split(':', 3)[2], name);
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "memory.limit_in_bytes"), bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return directory;
        }

        var v2 = lines.Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];
        var child = Path.Combine("/sys/fs/cgroup" + v2, name);
        Directory.CreateDirectory(child);
        File.WriteAllText(Path.Combine(child, "memory.max"), bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return child;
    }

    private static bool TryRemove(string cgroup)
    {
        try
        {
            Directory.Delete(cgroup); // rmdir: a cgroup directory is removed empty, its control files with it
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
