using System.Text.RegularExpressions;

namespace MonitoredService.Testing;

/// <summary>
/// Charges each sample of <c>perf script -F pid,tid,comm,ip,sym,dso</c> (with call graphs) to a
/// category of one process: the first frame of ours or of a library, counting from the leaf, with
/// the runtime's frames and stubs skipped (the runtime works for whoever called it). Two threads
/// are categories of their own, whatever they run: the stdout writer, whose whole thread is the
/// request log's, and the tiered JIT, a transient that a profile of a few seconds can catch. The
/// benchmark harness's profile (<c>tests/bench/run.sh --profile</c>) reads its samples with this.
/// </summary>
public static partial class PerfAttribution
{
    public const string Writer = "the stdout writer's thread (all of it)";
    public const string Jit = "the tiered JIT's thread (a transient)";
    public const string Runtime = "the runtime and the kernel only";
    public const string NativeSqlite = "SQLite (native)";

    /// <summary>Samples per category, for each of <paramref name="pids"/>; samples of other processes are not counted.</summary>
    public static Dictionary<int, Dictionary<string, int>> Attribute(IEnumerable<string> perfScript, IReadOnlyCollection<int> pids)
    {
        var result = pids.ToDictionary(pid => pid, _ => new Dictionary<string, int>());
        (int Pid, string Comm)? sample = null;
        string? category = null;
        foreach (var line in perfScript.Append(""))
        {
            if (line.Length == 0)
            {
                if (sample is { } done && result.TryGetValue(done.Pid, out var counts))
                {
                    var key = Thread(done.Comm) ?? category ?? Runtime;
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }

                (sample, category) = (null, null);
            }
            else if (!char.IsWhiteSpace(line[0]) || sample is null)
            {
                var header = Header().Match(line);
                sample = header.Success ? (int.Parse(header.Groups["pid"].Value), header.Groups["comm"].Value.Trim()) : null;
            }
            else
            {
                category ??= Category(line);
            }
        }

        return result;
    }

    /// <summary>The category of one frame, or null for the runtime's (keep looking toward the root).</summary>
    public static string? Category(string frame)
    {
        if (frame.Contains("libe_sqlite3", StringComparison.Ordinal))
        {
            return NativeSqlite;
        }

        // A JIT-compiled method names its assembly; precompiled (ReadyToRun) code is known by its file.
        var assembly = Assembly().Match(frame);
        var file = assembly.Success ? assembly : Image().Match(frame);
        if (!file.Success)
        {
            return null; // the kernel, libc, libcoreclr, a stub
        }

        var name = file.Groups["name"].Value;
        return name == "System" || name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Anonymously Hosted", StringComparison.Ordinal)
            ? null
            : name;
    }

    private static string? Thread(string comm) =>
        comm.StartsWith("stdout log", StringComparison.Ordinal) ? Writer
        : comm.StartsWith(".NET Tiered", StringComparison.Ordinal) ? Jit
        : null;

    // "   .NET TP Worker 12258/12301 " (the thread's name is padded, and may hold spaces)
    [GeneratedRegex(@"^(?<comm>.*?)\s+(?<pid>\d+)/\d+\s*$")]
    private static partial Regex Header();

    // "7fde0022d036 instance void [MonitoredService.Observability] MonitoredService...::OnCompleted(...)[OptimizedTier1] (/tmp/perf-1.map)"
    [GeneratedRegex(@"\[(?<name>[A-Za-z][\w.]*(?: [\w.]+)*)\] [^\s:]+::")]
    private static partial Regex Assembly();

    // "3a57a [unknown] (/usr/share/dotnet/shared/Microsoft.AspNetCore.App/10.0.12/Microsoft.AspNetCore.Routing.dll)"
    [GeneratedRegex(@"/(?<name>[\w.]+)\.dll\)$")]
    private static partial Regex Image();
}
