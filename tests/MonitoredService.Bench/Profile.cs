using System.Diagnostics;
using System.Globalization;
using System.Text;
using MonitoredService.Testing;

namespace MonitoredService.Bench;

/// <summary>
/// Where a variant's extra CPU goes (<c>--profile</c>): all off and the variant loaded at once
/// (<c>wrk -t1 -c8</c> each), so that both see the VM's slow and fast moments alike, and both sampled
/// by <c>perf record -g</c>. Each sample is charged by <see cref="PerfAttribution"/>; a category's
/// µs per request is its samples over the sampling frequency and the requests served. The profile
/// checks itself against the kernel's count: each process's samples must come to about the CPU
/// time /proc gave it, or the attribution would be of the wrong total.
/// </summary>
internal sealed class Profile(string assembly, OtlpSink sink, StringBuilder report)
{
    private const int Frequency = 999;
    private const int Connections = 8;

    public async Task RunAsync(Variant variant, TimeSpan warmup, TimeSpan duration)
    {
        // Without perf maps, JIT-compiled frames have no names; with W^X, their code is mapped where perf cannot find them.
        string[] perfMaps = ["env", "DOTNET_PerfMapEnabled=1", "DOTNET_EnableWriteXorExecute=0"];
        await using var allOff = Variant.AllOff.Start(assembly, sink.Address, perfMaps);
        await using var other = variant.Start(assembly, sink.Address, perfMaps);
        (Variant Variant, ServiceProcess Process)[] services = [(Variant.AllOff, allOff), (variant, other)];
        foreach (var (v, service) in services)
        {
            await Steps.PrepareAsync(v, service);
        }

        await Task.WhenAll(services.Select(s => Wrk.RunAsync(Steps.Target(s.Process), Connections, warmup, s.Variant.Authorization)));

        var data = Path.Combine(Path.GetTempPath(), $"monitoredservice-profile-{Guid.NewGuid():N}.data");
        try
        {
            // The load runs a second longer on each side than perf, so that perf sees only the steady load,
            // and /proc is read around perf alone: both count the same seconds.
            var loading = Task.WhenAll(services.Select(s => Wrk.RunAsync(Steps.Target(s.Process), Connections, duration + TimeSpan.FromSeconds(2), s.Variant.Authorization)));
            await Task.Delay(TimeSpan.FromSeconds(1));
            var errors = new StringBuilder();
            var (cpuBefore, from) = (services.Select(s => s.Process.CpuTime).ToArray(), Stopwatch.GetTimestamp());
            var record = Perf(errors, "record", "-F", $"{Frequency}", "-g", "-p", string.Join(',', services.Select(s => s.Process.ProcessId)), "-o", data,
                "--", "sleep", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture));
            await record.WaitForExitAsync();
            var (cpuAfter, elapsed) = (services.Select(s => s.Process.CpuTime).ToArray(), Stopwatch.GetElapsedTime(from));
            var loads = await loading;
            if (record.ExitCode != 0)
            {
                throw new InvalidOperationException($"perf record failed ({record.ExitCode}): {errors}");
            }

            var cpu = services.Select((_, i) => (cpuAfter[i] - cpuBefore[i]).TotalMicroseconds / (loads[i].RequestsPerSecond * elapsed.TotalSeconds)).ToArray();
            var script = Perf(errors, "script", "-i", data, "-F", "pid,tid,comm,ip,sym,dso");
            var samples = PerfAttribution.Attribute(Lines(script.StandardOutput), services.Select(s => s.Process.ProcessId).ToArray());
            await script.WaitForExitAsync();
            var perRequest = services.Select((s, i) => samples[s.Process.ProcessId].ToDictionary(
                c => c.Key, c => c.Value * 1e6 / Frequency / (loads[i].RequestsPerSecond * duration.TotalSeconds))).ToArray();
            Write(variant, perRequest, cpu, loads, duration);
        }
        finally
        {
            // The recording, and the maps the runtime wrote for perf (a few MB per process, kept after it exits).
            File.Delete(data);
            foreach (var (_, service) in services)
            {
                File.Delete($"/tmp/perf-{service.ProcessId}.map"); // the runtime's default place, whatever TMPDIR says
            }
        }
    }

    private void Write(Variant variant, Dictionary<string, double>[] perRequest, double[] cpu, Wrk.Result[] loads, TimeSpan duration)
    {
        var totals = perRequest.Select(p => p.Values.Sum()).ToArray();
        Check(variant, perRequest, totals, cpu);
        report.AppendLine($"### Where {variant.Name}'s CPU goes: all off and {variant.Name} loaded at once, `perf record -F {Frequency} -g`, {duration.TotalSeconds:0} s");
        report.AppendLine();
        report.AppendLine($"wrk -t1 -c{Connections} on each: all off served {loads[0].RequestsPerSecond:0} req/s, {variant.Name} {loads[1].RequestsPerSecond:0}. " +
            $"µs per request in perf's samples (from /proc): all off {totals[0]:0.0} ({cpu[0]:0.0}), {variant.Name} {totals[1]:0.0} ({cpu[1]:0.0}), " +
            $"difference {totals[1] - totals[0]:+0.0;-0.0}. Each sample is charged to the first frame of ours or of a library from the leaf.");
        report.AppendLine();
        report.AppendLine($"| where | all off | {variant.Name} | difference |");
        report.AppendLine("|---|---|---|---|");
        foreach (var category in perRequest.SelectMany(p => p.Keys).Distinct()
            .OrderByDescending(c => Math.Abs(perRequest[1].GetValueOrDefault(c) - perRequest[0].GetValueOrDefault(c))).Take(20))
        {
            var (off, on) = (perRequest[0].GetValueOrDefault(category), perRequest[1].GetValueOrDefault(category));
            report.AppendLine($"| {category} | {off:0.00} | {on:0.00} | {on - off:+0.00;-0.00} |");
        }

        report.AppendLine();
    }

    /// <summary>
    /// What must hold for the attribution to mean anything; a profile that fails it stops the harness.
    /// Each process's samples come to about its CPU time from /proc (perf's cpu-clock samples a running
    /// thread at the frequency asked; /proc counts 10 ms ticks), so no sample is counted twice or in the
    /// wrong process. The app's own frames have names (perf found the JIT's maps). The writer's thread
    /// is busy in a variant with request logs and idle in all off.
    /// </summary>
    private static void Check(Variant variant, Dictionary<string, double>[] perRequest, double[] totals, double[] cpu)
    {
        var problems = new List<string>();
        for (var i = 0; i < totals.Length; i++)
        {
            if (totals[i] < cpu[i] * 0.6 || totals[i] > cpu[i] * 1.5)
            {
                problems.Add($"process {i + 1}: {totals[i]:0.0} µs per request in perf's samples against {cpu[i]:0.0} from /proc");
            }

            if (perRequest[i].GetValueOrDefault("MonitoredService") == 0)
            {
                problems.Add($"process {i + 1}: no sample in the app's own frames (are the JIT's perf maps read?)");
            }
        }

        if (perRequest[0].GetValueOrDefault(PerfAttribution.Writer) > 0.1)
        {
            problems.Add($"all off: {perRequest[0][PerfAttribution.Writer]:0.00} µs per request on the writer's thread, which has nothing to write");
        }

        if (variant.Logs && perRequest[1].GetValueOrDefault(PerfAttribution.Writer) == 0)
        {
            problems.Add($"{variant.Name}: no sample on the writer's thread");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("the profile does not add up: " + string.Join("; ", problems));
        }
    }

    /// <summary>Starts perf; its stderr is read as it comes (a full pipe would stop it) into <paramref name="errors"/>.</summary>
    private static Process Perf(StringBuilder errors, params string[] arguments)
    {
        var start = new ProcessStartInfo("perf") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var perf = Process.Start(start) ?? throw new InvalidOperationException("perf did not start");
        perf.ErrorDataReceived += (_, line) =>
        {
            lock (errors)
            {
                errors.AppendLine(line.Data);
            }
        };
        perf.BeginErrorReadLine();
        return perf;
    }

    private static IEnumerable<string> Lines(StreamReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}
