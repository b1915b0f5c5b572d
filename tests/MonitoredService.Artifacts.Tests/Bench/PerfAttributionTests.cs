namespace MonitoredService.Artifacts.Tests.Bench;

/// <summary>
/// The benchmark harness's profile (<c>tests/bench/run.sh --profile</c>) charges perf's samples with
/// <see cref="PerfAttribution"/>: here on samples as <c>perf script -F pid,tid,comm,ip,sym,dso</c>
/// prints them, with the frames of a real profile of the service.
/// </summary>
public sealed class PerfAttributionTests
{
    private const string Kernel = "\tffffffff82250979 _raw_spin_unlock_irqrestore ([kernel.kallsyms])";
    private const string CoreClr = "\t3f3555 [unknown] (/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/libcoreclr.so)";
    private const string CoreLib = "\t7fde0022d100 instance bool [System.Private.CoreLib] System.Collections.Generic.Dictionary`2[System.__Canon,System.__Canon]::FindValue(!0)[OptimizedTier1] (/tmp/perf-100.map)";
    private const string Observation = "\t7fde0022d036 instance void [MonitoredService.Observability] MonitoredService.Observability.Http.RequestObservation+<ObserveAsync>d__4::MoveNext()[OptimizedTier1] (/tmp/perf-100.map)";
    private const string App = "\t7fde00230000 instance void [MonitoredService] MonitoredService.Items.SqliteItemStore+<RunAsync>d__15`1[System.__Canon]::MoveNext()[OptimizedTier1] (/tmp/perf-100.map)";
    private const string ReadyToRun = "\t3a57a [unknown] (/usr/share/dotnet/shared/Microsoft.AspNetCore.App/10.0.12/Microsoft.AspNetCore.Routing.dll)";
    private const string Sqlite = "\t92f75 sqlite3_reset (/app/runtimes/linux-x64/native/libe_sqlite3.so)";
    private const string Stub = "\t7fddf9640058 stub InitThreadManagerPerfMapData<JIT_CopiedWriteBarriers> (/tmp/perf-100.map)";
    private const string Dynamic = "\t7fde00240000 System.Threading.Tasks.Task /* MT: 0x7f74b2336ee8 */ [Anonymously Hosted DynamicMethods Assembly] dynamicClass::lambda_method1(System.Runtime.CompilerServices.Closure)[Optimized] (/tmp/perf-100.map)";

    [Fact]
    public void EachSampleGoesToTheFirstFrameFromTheLeafThatNamesAnAssemblyOtherThanTheRuntimes()
    {
        var samples = Attribute(
            Sample(".NET TP Worker", 100, Kernel, CoreClr, CoreLib, Observation, App),
            Sample(".NET TP Worker", 100, Stub, Dynamic, App, Observation),
            Sample(".NET TP Worker", 100, ReadyToRun, Observation),
            Sample(".NET TP Worker", 100, Sqlite, App),
            Sample(".NET Sockets", 100, Kernel, CoreClr));

        samples[100].Should().BeEquivalentTo(new Dictionary<string, int>
        {
            ["MonitoredService.Observability"] = 1,
            ["MonitoredService"] = 1,
            ["Microsoft.AspNetCore.Routing"] = 1,
            [PerfAttribution.NativeSqlite] = 1,
            [PerfAttribution.Runtime] = 1,
        });
    }

    [Fact]
    public void EachProcessCountsOnlyItsOwnSamplesAndOthersAreLeftOut()
    {
        var samples = Attribute(
            Sample(".NET TP Worker", 100, Observation),
            Sample(".NET TP Worker", 200, App),
            Sample(".NET TP Worker", 200, App),
            Sample("wrk", 300, Kernel));

        samples.Keys.Should().BeEquivalentTo([100, 200]);
        samples[100].Should().BeEquivalentTo(new Dictionary<string, int> { ["MonitoredService.Observability"] = 1 });
        samples[200].Should().BeEquivalentTo(new Dictionary<string, int> { ["MonitoredService"] = 2 });
    }

    [Fact]
    public void TheWritersAndTheJitsThreadsAreTheirOwnCategoriesWhateverTheyRun()
    {
        var samples = Attribute(
            Sample("stdout log writ", 100, Kernel, Observation),
            Sample("stdout log writ", 100, CoreLib),
            Sample(".NET Tiered Com", 100, CoreClr, App));

        samples[100].Should().BeEquivalentTo(new Dictionary<string, int> { [PerfAttribution.Writer] = 2, [PerfAttribution.Jit] = 1 });
    }

    [Fact]
    public void TheLastSampleCountsWithoutABlankLineAfterIt()
    {
        var lines = Sample(".NET TP Worker", 100, App).Concat(Sample(".NET TP Worker", 100, Observation).SkipLast(1));

        PerfAttribution.Attribute(lines, [100])[100].Values.Sum().Should().Be(2);
    }

    private static Dictionary<int, Dictionary<string, int>> Attribute(params IEnumerable<string>[] samples) =>
        PerfAttribution.Attribute(samples.SelectMany(sample => sample), [100, 200]);

    // perf pads the thread's name; a blank line ends each sample.
    private static IEnumerable<string> Sample(string comm, int pid, params string[] frames) =>
        [$"{comm,16} {pid}/{pid + 7} ", .. frames, ""];
}
