using System.Text;
using MonitoredService.Bench;

// tests/bench/run.sh [--smoke]: measures the built service on this machine and writes a markdown
// report to stdout and artifacts/bench/. The smoke run (what CI runs) only proves the harness works.
var smoke = args.Contains("--smoke");
var settings = smoke ? Settings.Smoke : Settings.Full;
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
var steps = new Steps(assembly, settings, sink, report);
Console.Error.WriteLine("throughput…");
await steps.ThroughputAsync();
Console.Error.WriteLine("probes under load…");
await steps.ProbesUnderLoadAsync();
Console.Error.WriteLine("scrapes…");
await steps.ScrapeAsync();
Console.Error.WriteLine("start-up and memory…");
await steps.StartupAndMemoryAsync();

var output = Path.Combine(root, "artifacts", "bench");
Directory.CreateDirectory(output);
await File.WriteAllTextAsync(Path.Combine(output, smoke ? "smoke.md" : "results.md"), report.ToString());
Console.WriteLine(report);
return 0;

