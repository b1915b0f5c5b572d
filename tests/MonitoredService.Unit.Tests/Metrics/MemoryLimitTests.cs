using MonitoredService.Observability.Metrics;

namespace MonitoredService.Unit.Tests.Metrics;

/// <summary>
/// The memory limit read from cgroup files laid out as real machines have them (a container on
/// cgroup v2, a Kubernetes pod's nested cgroups, this VM's hybrid v1 layout), else /proc/meminfo.
/// </summary>
public sealed class MemoryLimitTests : IDisposable
{
    private const string MemInfo = "MemTotal:       24683568 kB\nMemFree:         1000000 kB\n";
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("memorylimit-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void AContainerOnCgroupV2ReadsMemoryMax()
    {
        Write("/proc/self/mountinfo", "1205 1184 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate,memory_recursiveprot\n");
        Write("/proc/self/cgroup", "0::/\n");
        Write("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
        Write("/sys/fs/cgroup/memory.max", "536870912\n");
        Write("/proc/meminfo", MemInfo);

        MemoryLimit.Read(_root.FullName).Should().Be((536870912L, MemoryLimit.Source.CgroupV2));
    }

    [Fact]
    public void NestedCgroupsGiveTheLowestLimitUpTheHierarchy()
    {
        // The host's view of a Kubernetes pod: the pod's cgroup limits, the container's says "max".
        const string pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice";
        Write("/proc/self/mountinfo", "25 1 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw\n");
        Write("/proc/self/cgroup", $"0::{pod}/cri-containerd-abc.scope\n");
        Write("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
        Write($"/sys/fs/cgroup{pod}/memory.max", "805306368\n");
        Write($"/sys/fs/cgroup{pod}/cri-containerd-abc.scope/memory.max", "max\n");
        Write("/sys/fs/cgroup/kubepods.slice/memory.max", "20000000000\n");

        MemoryLimit.Read(_root.FullName).Should().Be((805306368L, MemoryLimit.Source.CgroupV2));
    }

    [Fact]
    public void CgroupV1InAHybridLayoutReadsLimitInBytesAndTreatsTheHugeValueAsNone()
    {
        // This VM: a v2 hierarchy without the memory controller, memory on v1.
        Write("/proc/self/mountinfo",
            "30 23 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw\n" +
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n" +
            "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n");
        Write("/proc/self/cgroup", "4:memory:/process_api/ec55/mstest\n1:cpu:/\n0::/\n");
        Write("/sys/fs/cgroup/unified/cgroup.controllers", "\n");
        Write("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        Write("/sys/fs/cgroup/memory/process_api/ec55/memory.limit_in_bytes", "9223372036854771712\n");
        Write("/sys/fs/cgroup/memory/process_api/ec55/mstest/memory.limit_in_bytes", "805306368\n");

        MemoryLimit.Read(_root.FullName).Should().Be((805306368L, MemoryLimit.Source.CgroupV1));
    }

    [Fact]
    public void WithoutAnyLimitItIsTheMachinesMemory()
    {
        Write("/proc/self/mountinfo", "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n");
        Write("/proc/self/cgroup", "4:memory:/\n");
        Write("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        Write("/proc/meminfo", MemInfo);

        MemoryLimit.Read(_root.FullName).Should().Be((24683568L * 1024, MemoryLimit.Source.Machine));
    }

    [Fact]
    public void WithoutCgroupFilesItIsTheMachinesMemory()
    {
        Write("/proc/meminfo", MemInfo);

        MemoryLimit.Read(_root.FullName).Should().Be((24683568L * 1024, MemoryLimit.Source.Machine));
    }

    [Fact]
    public void OnThisMachineItReadsSomethingPositive()
    {
        MemoryLimit.Read().Bytes.Should().BeGreaterThan(64L * 1024 * 1024);
    }

    private void Write(string path, string content)
    {
        var full = Path.Combine(_root.FullName, path.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }
}
