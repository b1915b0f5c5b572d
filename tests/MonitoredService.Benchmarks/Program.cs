using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process (no generated project to build), short runs, allocations reported:
//   dotnet run -c Release --project tests/MonitoredService.Benchmarks -- --filter '*'
// BenchmarkDotNet's own switches work too (--job Dry for a quick check).
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator)
    .WithArtifactsPath(Path.Combine(MonitoredService.Testing.RepositoryRoot.Find(), "artifacts", "benchmarks")); // git-ignored, not the working directory
BenchmarkSwitcher.FromAssembly(typeof(MonitoredService.Benchmarks.PerRequestLogging).Assembly).Run(args, config);

