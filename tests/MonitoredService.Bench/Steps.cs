using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using MonitoredService.Testing;

namespace MonitoredService.Bench;

/// <summary>The measurements, each a method that writes its section of the report.</summary>
internal sealed class Steps(string assembly, Settings settings, OtlpSink sink, StringBuilder report)
{
    private double _loadedMiB;

    /// <summary>
    /// Throughput, latency, and the CPU time and bytes the service process spent per request, of
    /// GET /api/items/{id} per variant, at each connection count; the variants interleaved round by
    /// round. CPU per request (utime + stime over the requests served) and bytes per request (the
    /// runtime's own allocation counter) are steadier on a shared VM than requests per second.
    /// </summary>
    public async Task ThroughputAsync()
    {
        foreach (var connections in settings.Connections)
        {
            await ThroughputAsync(connections);
        }
    }

    private async Task ThroughputAsync(int connections)
    {
        var runs = settings.Variants.ToDictionary(v => v, _ => new List<Run>());
        var services = settings.Variants.Select(v => (Variant: v, Process: v.Start(assembly, sink.Address))).ToArray();
        var counters = new List<RuntimeCounters>();
        try
        {
            var headers = services.ToDictionary(s => s.Variant, s => s.Variant.Authorization);
            foreach (var (variant, service) in services)
            {
                await PrepareAsync(variant, service);
                counters.Add(new RuntimeCounters(service.ProcessId));
                await Wrk.RunAsync(Target(service), connections, settings.Warmup, headers[variant]); // JIT, tiered compilation, pools
            }

            var order = services.Zip(counters).ToList();
            for (var round = 0; round < settings.Rounds; round++)
            {
                order = [.. order.Skip(1), order[0]]; // rotate: no variant always runs first or last
                if (settings.Together)
                {
                    // Every variant under load at once, each on its share of the connections: a slow moment of the VM hits all alike.
                    var share = Math.Max(1, connections / order.Count);
                    var together = await Task.WhenAll(order.Select(entry => MeasureAsync(entry.First.Variant, entry.First.Process, entry.Second, share, headers[entry.First.Variant])));
                    foreach (var (entry, run) in order.Zip(together))
                    {
                        Record(entry.First.Variant, entry.First.Process, run, round);
                    }

                    continue;
                }

                foreach (var ((variant, service), allocations) in order)
                {
                    Record(variant, service, await MeasureAsync(variant, service, allocations, connections, headers[variant]), round);
                }
            }

            void Record(Variant variant, ServiceProcess service, Run run, int round)
            {
                runs[variant].Add(run);
                if (variant == Variant.AllOn)
                {
                    _loadedMiB = Math.Max(_loadedMiB, MiB(service.ResidentBytes));
                }

                Console.Error.WriteLine($"  c{connections}{(settings.Together ? " together" : "")} round {round + 1} {variant.Name}: {run.Result.RequestsPerSecond:0} req/s, " +
                    $"{run.CpuMicroseconds:0.0} µs CPU and {run.Bytes:0} B per request, p99 {run.Result.P99Ms:0.00} ms, errors {run.Result.Errors}");
            }

            var logging = services.Last(s => s.Variant.Logs || s.Variant == Variant.AllOff);
            Report(connections, runs, logging.Variant, File.ReadLines(logging.Process.OutputFile!).LongCount());
        }
        finally
        {
            foreach (var allocations in counters)
            {
                allocations.Dispose();
            }

            foreach (var (_, service) in services)
            {
                await service.DisposeAsync();
            }
        }
    }

    /// <summary>One wrk run of one variant, and what its process spent per request over it.</summary>
    private async Task<Run> MeasureAsync(Variant variant, ServiceProcess service, RuntimeCounters allocations, int connections, string? header)
    {
        var (threadsBefore, cpuBefore, from) = (service.Threads(), service.CpuTime, DateTime.UtcNow);
        var result = await Wrk.RunAsync(Target(service), connections, settings.Duration, header);
        var (cpuAfter, to, threadsAfter) = (service.CpuTime, DateTime.UtcNow, service.Threads());
        return new Run(result, (cpuAfter - cpuBefore).TotalMicroseconds / result.Requests,
            allocations.AllocationRate(from, to) / result.RequestsPerSecond,
            threadsAfter.Since(threadsBefore).ToDictionary(kind => kind.Key, kind => kind.Value.TotalMicroseconds / result.Requests),
            (threadsAfter.ContextSwitches - threadsBefore.ContextSwitches) / (double)result.Requests);
    }

    private void Report(int connections, Dictionary<Variant, List<Run>> runs, Variant logging, long logLines)
    {
        var off = runs[Variant.AllOff];
        var offThroughput = Stats.Median(off.Select(r => r.Result.RequestsPerSecond));
        var offCpu = Stats.Median(off.Select(r => r.CpuMicroseconds));
        report.AppendLine(settings.Together
            ? $"### `GET /api/items/{{id}}`, all variants loaded together, wrk -t1 -c{Math.Max(1, connections / settings.Variants.Length)} on each, {settings.Duration.TotalSeconds:0} s × {settings.Rounds} rounds (medians)"
            : $"### `GET /api/items/{{id}}`, wrk -t1 -c{connections}, {settings.Duration.TotalSeconds:0} s × {settings.Rounds} rounds, interleaved (medians)");
        report.AppendLine();
        if (settings.Together)
        {
            report.AppendLine("The variants shared the cores in every round, so compare their CPU per request; their requests per second are not the goal's figure.");
            report.AppendLine();
        }

        report.AppendLine("| variant | req/s | of all off (medians) | of all off (paired rounds) | CPU µs/request | vs all off (medians) | vs all off (paired rounds) | bytes/request | p50 ms | p99 ms | errors |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var variant in settings.Variants)
        {
            var mine = runs[variant];
            var throughput = Stats.Median(mine.Select(r => r.Result.RequestsPerSecond));
            var cpu = Stats.Median(mine.Select(r => r.CpuMicroseconds));
            var paired = Stats.Median(mine.Zip(off).Select(p => p.First.Result.RequestsPerSecond / p.Second.Result.RequestsPerSecond));
            var pairedCpu = Stats.Median(mine.Zip(off).Select(p => p.First.CpuMicroseconds - p.Second.CpuMicroseconds));
            report.AppendLine($"| {variant.Name} | {throughput:0} | {throughput / offThroughput:P0} | {paired:P0} | {cpu:0.0} | {cpu - offCpu:+0.0;-0.0;0.0} | {pairedCpu:+0.0;-0.0;0.0} | " +
                $"{Stats.Median(mine.Select(r => r.Bytes)):N0} | {Stats.Median(mine.Select(r => r.Result.P50Ms)):0.00} | {Stats.Median(mine.Select(r => r.Result.P99Ms)):0.00} | {mine.Sum(r => r.Result.Errors)} |");
        }

        report.AppendLine();
        var last = settings.Variants[^1];
        report.AppendLine($"Per round, {last.Name} / all off: " + string.Join(", ", runs[last].Zip(off).Select(p => $"{p.First.Result.RequestsPerSecond / p.Second.Result.RequestsPerSecond:P0}")) +
            $"; CPU µs per request, all off: {string.Join(", ", off.Select(r => $"{r.CpuMicroseconds:0.0}"))}; {last.Name}: " +
            string.Join(", ", runs[last].Select(r => $"{r.CpuMicroseconds:0.0}")) +
            $". {logging.Name} wrote {logLines:N0} lines to stdout (a file); {sink.Batches:N0} span batches exported so far (10 % sampling).");
        report.AppendLine();
        ReportThreads(runs);
    }

    /// <summary>Where each variant's CPU per request went, by kind of thread, and its context switches per request (medians).</summary>
    private void ReportThreads(Dictionary<Variant, List<Run>> runs)
    {
        var kinds = runs.Values.SelectMany(list => list).SelectMany(run => run.ThreadMicroseconds.Keys).Distinct().Order(StringComparer.Ordinal)
            .Where(kind => runs.Values.Any(list => Stats.Median(list.Select(run => run.ThreadMicroseconds.GetValueOrDefault(kind))) >= 0.05))
            .ToList();
        report.AppendLine("CPU µs per request by thread (live threads; medians of the rounds), and context switches (voluntary and not) per request:");
        report.AppendLine();
        report.AppendLine("| thread | " + string.Join(" | ", settings.Variants.Select(v => v.Name)) + " |");
        report.AppendLine("|---|" + string.Concat(settings.Variants.Select(_ => "---|")));
        foreach (var kind in kinds)
        {
            report.AppendLine($"| {kind} | " + string.Join(" | ", settings.Variants.Select(v => $"{Stats.Median(runs[v].Select(run => run.ThreadMicroseconds.GetValueOrDefault(kind))):0.0}")) + " |");
        }

        report.AppendLine("| context switches | " + string.Join(" | ", settings.Variants.Select(v => $"{Stats.Median(runs[v].Select(run => run.ContextSwitches)):0.00}")) + " |");
        report.AppendLine();
    }

    /// <summary>Probe latency, new connection per probe as the kubelet does, while wrk saturates the API.</summary>
    public async Task ProbesUnderLoadAsync()
    {
        await using var service = Variant.AllOn.Start(assembly, sink.Address);
        await service.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = service.BaseAddress };
        (await client.PostAsJsonAsync("/api/items", new { name = "benchmark item" })).EnsureSuccessStatusCode();
        await Wrk.RunAsync(Target(service), settings.Connections[0], settings.Warmup);

        var latencies = new Dictionary<string, List<double>> { ["/health/live"] = [], ["/health/ready"] = [] };
        var load = Wrk.RunAsync(Target(service), ProbeLoadConnections, settings.Duration);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < settings.Duration - TimeSpan.FromMilliseconds(500))
        {
            foreach (var path in latencies.Keys)
            {
                var probe = Stopwatch.StartNew();
                using var response = await client.GetAsync(path);
                latencies[path].Add(probe.Elapsed.TotalMilliseconds);
                response.EnsureSuccessStatusCode();
            }

            await Task.Delay(20);
        }

        var saturation = await load;
        report.AppendLine($"### Probes while the API is saturated (wrk -c{ProbeLoadConnections}: {saturation.RequestsPerSecond:0} req/s; a new connection per probe)");
        report.AppendLine();
        report.AppendLine("| probe | samples | p50 ms | p99 ms | max ms |");
        report.AppendLine("|---|---|---|---|---|");
        foreach (var (path, values) in latencies)
        {
            report.AppendLine($"| `{path}` | {values.Count} | {Stats.Median(values):0.00} | {Stats.Percentile(values, 0.99):0.00} | {values.Max():0.00} |");
        }

        report.AppendLine();
    }

    /// <summary>/metrics: time and size of a scrape, fresh and after traffic on every route.</summary>
    public async Task ScrapeAsync()
    {
        await using var service = Variant.AllOn.Start(assembly, sink.Address);
        await service.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        report.AppendLine($"### `/metrics` scrapes ({settings.Scrapes} per row, keep-alive; the first scrape after start-up excluded)");
        report.AppendLine();
        report.AppendLine("| state | format | bytes | series | p50 ms | p99 ms |");
        report.AppendLine("|---|---|---|---|---|---|");
        await ScrapeRowsAsync(client, "fresh (default series)");
        await TrafficOnEveryRouteAsync(client);
        await ScrapeRowsAsync(client, "after traffic on every route");
        report.AppendLine();
    }

    /// <summary>Cold start to ready, idle and loaded working set.</summary>
    public async Task StartupAndMemoryAsync()
    {
        var starts = new List<double>();
        var idle = new List<double>();
        for (var i = 0; i < settings.Starts; i++)
        {
            await using var service = Variant.AllOn.Start(assembly, sink.Address);
            starts.Add((await service.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), poll: TimeSpan.FromMilliseconds(5))).TotalMilliseconds);
            await Task.Delay(settings.Idle);
            idle.Add(MiB(service.ResidentBytes));
        }

        report.AppendLine($"### Start-up and memory (all on, SQLite created and migrated; {settings.Starts} cold starts)");
        report.AppendLine();
        report.AppendLine("| measure | median | min | max |");
        report.AppendLine("|---|---|---|---|");
        report.AppendLine($"| process start to `/health/ready` 200 | {Stats.Median(starts):0} ms | {starts.Min():0} ms | {starts.Max():0} ms |");
        report.AppendLine($"| idle working set ({settings.Idle.TotalSeconds:0} s after ready) | {Stats.Median(idle):0} MiB | {idle.Min():0} MiB | {idle.Max():0} MiB |");
        if (_loadedMiB > 0)
        {
            report.AppendLine($"| working set under load (all on, highest after a wrk run) | {_loadedMiB:0} MiB | | |");
        }

        report.AppendLine();
    }

    private async Task ScrapeRowsAsync(HttpClient client, string state)
    {
        foreach (var (format, accept) in new[] { ("text 0.0.4", "text/plain"), ("OpenMetrics", "application/openmetrics-text; version=1.0.0") })
        {
            var times = new List<double>();
            var bytes = 0;
            var series = 0;
            for (var i = 0; i <= settings.Scrapes; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
                request.Headers.Add("Accept", accept);
                var clock = Stopwatch.StartNew();
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (i > 0)
                {
                    times.Add(clock.Elapsed.TotalMilliseconds);
                }

                bytes = Encoding.UTF8.GetByteCount(body);
                series = body.Split('\n').Count(line => line.Length > 0 && line[0] != '#');
            }

            report.AppendLine($"| {state} | {format} | {bytes:N0} | {series} | {Stats.Median(times):0.00} | {Stats.Percentile(times, 0.99):0.00} |");
        }
    }

    private static async Task TrafficOnEveryRouteAsync(HttpClient client)
    {
        for (var i = 0; i < 20; i++)
        {
            using var created = await client.PostAsJsonAsync("/api/items", new { name = $"route item {i}" });
            var location = created.Headers.Location!;
            await client.GetAsync(location);
            await client.GetAsync("/api/items?limit=5");
            await client.GetAsync("/api/items/abc");
            await client.GetAsync("/api/items/999999");
            await client.PostAsync("/api/items", new StringContent("{", Encoding.UTF8, "application/json"));
            await client.PostAsync("/api/items", new StringContent("x", Encoding.UTF8, "text/plain"));
            await client.PutAsync("/api/items/1", new StringContent("{}", Encoding.UTF8, "application/json"));
            await client.DeleteAsync(location);
            await client.DeleteAsync(location);
            await client.GetAsync($"/no/such/route/{i}");
            await client.GetAsync("/health/live");
            await client.GetAsync("/health/ready");
            await client.GetAsync("/health/startup");
        }
    }

    /// <summary>Connections of the load under which probes are measured: well past saturation.</summary>
    private const int ProbeLoadConnections = 64;

    /// <summary>What every load targets: the item <see cref="PrepareAsync"/> created.</summary>
    internal static Uri Target(ServiceProcess service) => new(service.BaseAddress, "/api/items/1");

    /// <summary>Waits until the service is ready and creates the item the load reads.</summary>
    internal static async Task PrepareAsync(Variant variant, ServiceProcess service)
    {
        await service.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/items") { Content = JsonContent.Create(new { name = "benchmark item" }) };
        if (variant.Authorization is { } header)
        {
            create.Headers.TryAddWithoutValidation("Authorization", header["Authorization: ".Length..]);
        }

        (await client.SendAsync(create)).EnsureSuccessStatusCode();
    }

    private static double MiB(long bytes) => bytes / 1024.0 / 1024.0;
}

/// <summary>How long and how often: the full run, or a smoke run that only proves the harness works.</summary>
/// <remarks>
/// The warm-up is long enough for tiered compilation to settle: after 5 s of load the JIT still took
/// about 3 % of the request-logging variant's CPU, after 25 s nothing (perf, docs/benchmarks.md).
/// </remarks>
internal sealed record Settings(TimeSpan Duration, TimeSpan Warmup, int Rounds, int[] Connections, int Scrapes, int Starts, TimeSpan Idle, Variant[] Variants)
{
    /// <summary>
    /// Whether each round loads every variant at once (--together) instead of one after another: on
    /// this VM an A/A pair then differs by about ±2 µs per request instead of ±4 (docs/benchmarks.md).
    /// </summary>
    public bool Together { get; init; }

    public static readonly Settings Full = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15), 5, [16, 64], 200, 5, TimeSpan.FromSeconds(5), Variant.All);

    public static readonly Settings Smoke = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 1, [16], 5, 1, TimeSpan.FromSeconds(1), Variant.All);

    /// <summary>
    /// One variant against all off, and nothing else: 12 rounds of 5 s at -c16 (or another count), about 3 minutes. Five
    /// variants in five rounds cannot resolve a few microseconds; twelve pairs can (to about ±2 µs).
    /// </summary>
    public static Settings Compare(Variant variant, int connections = 16, bool together = false) =>
        new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(together ? 25 : 15), together ? 20 : 12, [connections], 0, 0, TimeSpan.Zero, [Variant.AllOff, variant]) { Together = together };
}

/// <summary>One measured wrk run of one variant, with what the service process spent per request.</summary>
internal sealed record Run(
    Wrk.Result Result, double CpuMicroseconds, double Bytes, IReadOnlyDictionary<string, double> ThreadMicroseconds, double ContextSwitches);
