using System.Text;
using MonitoredService.Bench;

// tests/bench/run.sh [--smoke | --compare <variant> [--connections N] [--together] | --profile <variant>]: measures
// the built service on this machine and writes a markdown report to stdout and artifacts/bench/. The smoke run (what
// CI runs) only proves the harness works; --compare runs one variant against all off in twelve short pairs of rounds,
// or with --together in twenty rounds that load both at once (CPU per request only); --profile loads the variant and
// all off at once under perf and says where the difference goes.
var smoke = args.Contains("--smoke");
if (!TryVariant("--compare", out var compare) || !TryVariant("--profile", out var profile))
{
    return 2;
}

var connections = Array.IndexOf(args, "--connections") is var c and >= 0 && c + 1 < args.Length && int.TryParse(args[c + 1], out var count) && count > 0 ? count : 16;
var settings = smoke ? Settings.Smoke : compare is not null ? Settings.Compare(compare, connections, args.Contains("--together")) : Settings.Full;
var root = MonitoredService.Testing.RepositoryRoot.Find();
var assembly = Path.Combine(root, "src", "MonitoredService", "bin", "Release", "net10.0", "MonitoredService.dll");
if (!File.Exists(assembly))
{
    Console.Error.WriteLine($"{assembly} is missing: build with `dotnet build -c Release` (tests/bench/run.sh does).");
    return 2;
}

var report = new StringBuilder();
report.AppendLine($"## MonitoredService benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{(smoke ? " (smoke run: numbers mean nothing)" : "")}");
report.AppendLine();
report.AppendLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; the service, wrk and this harness share it.");
report.AppendLine();

await using var sink = new OtlpSink();
if (profile is not null)
{
    Console.Error.WriteLine($"profile of {profile.Name} and all off, loaded at once…");
    // 40 s: two processes share the CPU, so tiered compilation settles about twice as late as in one
    // (after a 25 s warm-up, the JIT still took 6–8 µs per request of all on's 20 s; docs/benchmarks.md).
    await new Profile(assembly, sink, report).RunAsync(profile, warmup: TimeSpan.FromSeconds(40), duration: TimeSpan.FromSeconds(20));
    return await WriteAsync("profile.md");
}

var steps = new Steps(assembly, settings, sink, report);
Console.Error.WriteLine("throughput…");
await steps.ThroughputAsync();
if (smoke)
{
    Console.Error.WriteLine("throughput, loaded together…");
    await new Steps(assembly, settings with { Together = true, Variants = [Variant.AllOff, Variant.AllOn] }, sink, report).ThroughputAsync();
    Console.Error.WriteLine("profile, loaded together…");
    await new Profile(assembly, sink, report).RunAsync(Variant.AllOn, warmup: TimeSpan.FromSeconds(2), duration: TimeSpan.FromSeconds(4));
}

if (compare is null)
{
    Console.Error.WriteLine("probes under load…");
    await steps.ProbesUnderLoadAsync();
    Console.Error.WriteLine("scrapes…");
    await steps.ScrapeAsync();
    Console.Error.WriteLine("start-up and memory…");
    await steps.StartupAndMemoryAsync();
}

return await WriteAsync(smoke ? "smoke.md" : compare is not null ? "compare.md" : "results.md");

// The variant an option names (or the start of its name), null without the option; false if it names none.
bool TryVariant(string option, out Variant? variant)
{
    var at = Array.IndexOf(args, option);
    variant = at >= 0 && at + 1 < args.Length
        ? Variant.Comparable.SingleOrDefault(v => v.Name.StartsWith(args[at + 1], StringComparison.OrdinalIgnoreCase))
        : null;
    if (at >= 0 && variant is null)
    {
        Console.Error.WriteLine($"{option} takes a variant: {string.Join(", ", Variant.Comparable.Skip(1).Select(v => $"\"{v.Name}\""))} (or the start of one)");
        return false;
    }

    return true;
}

async Task<int> WriteAsync(string file)
{
    var output = Path.Combine(root, "artifacts", "bench");
    Directory.CreateDirectory(output);
    await File.WriteAllTextAsync(Path.Combine(output, file), report.ToString());
    Console.WriteLine(report);
    return 0;
}

