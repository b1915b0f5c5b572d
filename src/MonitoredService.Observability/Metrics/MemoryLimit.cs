using System.Globalization;

namespace MonitoredService.Observability.Metrics;

/// <summary>
/// The memory this process may use: its cgroup's limit (v2 <c>memory.max</c>, or v1
/// <c>memory.limit_in_bytes</c>; the lowest along the way up, since Kubernetes limits the pod and the
/// container), else the machine's memory (<c>/proc/meminfo</c>). Read from the files each time, so
/// that a limit changed in place is seen; all paths are under the root that <see cref="Read"/> is given, for tests.
/// </summary>
internal static class MemoryLimit
{
    /// <summary>cgroup v1 writes "no limit" as the largest page-aligned long; anything this large is none.</summary>
    private const long Unlimited = 1L << 62;

    public enum Source
    {
        CgroupV2,
        CgroupV1,
        Machine,
        Unknown,
    }

    public static (long Bytes, Source From) Read(string root = "/")
    {
        try
        {
            var mounts = File.ReadAllLines(Under(root, "/proc/self/mountinfo")).Select(Mount.Parse).OfType<Mount>().ToArray();
            var memberships = File.ReadAllLines(Under(root, "/proc/self/cgroup")).Select(line => line.Split(':', 3)).Where(parts => parts.Length == 3).ToArray();
            if (mounts.FirstOrDefault(m => m.Type == "cgroup2") is { } unified
                && memberships.FirstOrDefault(parts => parts[0] == "0") is { } v2
                && File.Exists(Under(root, Path.Combine(unified.Point, "cgroup.controllers")))
                && File.ReadAllText(Under(root, Path.Combine(unified.Point, "cgroup.controllers"))).Split(' ', '\n').Contains("memory")
                && Lowest(root, unified, v2[2], "memory.max") is { } v2Limit)
            {
                return (v2Limit, Source.CgroupV2);
            }

            if (mounts.FirstOrDefault(m => m.Type == "cgroup" && m.SuperOptions.Contains("memory")) is { } v1Mount
                && memberships.FirstOrDefault(parts => parts[1].Split(',').Contains("memory")) is { } v1
                && Lowest(root, v1Mount, v1[2], "memory.limit_in_bytes") is { } v1Limit)
            {
                return (v1Limit, Source.CgroupV1);
            }
        }
        catch (IOException)
        {
            // No cgroup files (not Linux, or hidden): the machine's memory.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Machine(root) is { } total ? (total, Source.Machine) : (0, Source.Unknown);
    }

    /// <summary>The lowest limit from the process's cgroup up to the mount's root; null when none is set.</summary>
    private static long? Lowest(string root, Mount mount, string cgroupPath, string file)
    {
        var relative = cgroupPath.StartsWith(mount.Root, StringComparison.Ordinal) ? cgroupPath[mount.Root.Length..] : cgroupPath;
        var directory = Path.Combine(mount.Point, relative.TrimStart('/'));
        long? lowest = null;
        while (true)
        {
            var path = Under(root, Path.Combine(directory, file));
            if (File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit)
                && limit is > 0 and < Unlimited)
            {
                lowest = lowest is { } known ? Math.Min(known, limit) : limit; // "max" does not parse: no limit there
            }

            if (directory.TrimEnd('/') == mount.Point.TrimEnd('/') || Path.GetDirectoryName(directory) is not { } parent)
            {
                return lowest;
            }

            directory = parent;
        }
    }

    private static long? Machine(string root)
    {
        try
        {
            var line = File.ReadLines(Under(root, "/proc/meminfo")).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return line?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var kilobytes, "kB"]
                && long.TryParse(kilobytes, NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Under(string root, string path) => root == "/" ? path : Path.Combine(root, path.TrimStart('/'));

    /// <summary>A line of /proc/self/mountinfo: "id parent major:minor root mount-point options [optional...] - type source super-options".</summary>
    private sealed record Mount(string Root, string Point, string Type, string[] SuperOptions)
    {
        public static Mount? Parse(string line)
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            return fields.Length >= 5 && separator > 4 && separator + 3 < fields.Length + 1 && separator + 1 < fields.Length
                ? new Mount(fields[3], fields[4], fields[separator + 1], separator + 3 < fields.Length ? fields[separator + 3].Split(',') : [])
                : null;
        }
    }
}
