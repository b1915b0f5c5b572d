using System.Diagnostics;

namespace MonitoredService.Artifacts.Tests.Deploy;

/// <summary>
/// The operators' scripts: shellcheck-clean, and doing what they say: the synthetic check against
/// the real service, the diagnostics script against a stand-in kubectl (no cluster here) that
/// answers like one and records what it was asked.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ScriptTests
{
    public static TheoryData<string> Scripts => new(
        Directory.GetFiles(Repository.Path("deploy"), "*.sh", SearchOption.AllDirectories).Select(path => Path.GetRelativePath(Repository.Root, path))
            .Append("tests/run.sh").Append(".ci/run").Order());

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task ShellcheckFindsNothing(string script)
    {
        // The shell its first line names: the log store's setup is POSIX sh (the curl image has no bash).
        var shell = File.ReadLines(Repository.Path(script)).First() == "#!/bin/sh" ? "sh" : "bash";
        var result = await Tools.RunAsync("shellcheck", [$"--shell={shell}", "--severity=style", script]);

        result.ExitCode.Should().Be(0, result.All);
    }

    [Fact]
    public async Task ShellcheckWouldFindAnUnquotedVariable()
    {
        var script = Path.Combine(Path.GetTempPath(), $"monitoredservice-sc-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(script, "#!/usr/bin/env bash\nrm -rf $1/data\n");
        try
        {
            var result = await Tools.RunAsync("shellcheck", ["--shell=bash", "--severity=style", script]);

            result.ExitCode.Should().NotBe(0);
            result.All.Should().Contain("SC2086");
        }
        finally
        {
            File.Delete(script);
        }
    }

#if (SampleApi)
    [Fact]
    public async Task TheSyntheticCheckPassesAgainstAHealthyServiceWithMetricsOnTheirOwnPort()
    {
        var metricsPort = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Metrics:Port"] = metricsPort.ToString(),
            ["Observability:Metrics:Host"] = "127.0.0.1",
        });
        await service.WaitUntilReadyAsync();

        var result = await SyntheticCheckAsync("--metrics-url", $"http://127.0.0.1:{metricsPort}", service.BaseAddress.ToString());

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "ok    live       200", "ok    ready      200", "ok    startup    200", "ok    metrics    200",
            "ok    create     201", "ok    read       200", "ok    delete     204", "all checks passed");
    }

    [Fact]
    public async Task TheSyntheticCheckFailsWhenTheApiFailsAndReadOnlyLeavesTheApiAlone()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string> { ["FaultInjection:ErrorRate"] = "1" });
        await service.WaitUntilReadyAsync();

        var full = await SyntheticCheckAsync(service.BaseAddress.ToString());
        var readOnly = await SyntheticCheckAsync("--read-only", service.BaseAddress.ToString());

        full.ExitCode.Should().Be(1);
        full.Output.Should().Contain("FAIL  create     500 (expected 201)").And.EndWith("1 check(s) failed\n");
        readOnly.ExitCode.Should().Be(0, readOnly.All);
        readOnly.Output.Should().NotContain("create");
    }

#if (WithAuth)
    [Fact]
    public async Task TokensMintedByTheScriptAreAcceptedAndTheSyntheticCheckCarriesOne()
    {
        var key = new TestTokens();
        var keyFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(keyFile, key.SigningKey + "\n");
        try
        {
            await using var service = ServiceProcess.Start(new Dictionary<string, string>
            {
                ["Authentication:Jwt:SigningKeyFile"] = keyFile,
                ["Authentication:Jwt:Audience"] = "monitoredservice",
            });
            await service.WaitUntilReadyAsync();
            var writer = await MintAsync("--key-file", keyFile, "--aud", "monitoredservice", "--scope", "items:write");
            var expired = await MintAsync("--key-file", keyFile, "--aud", "monitoredservice", "--ttl", "-60");

            var withToken = await Tools.RunAsync("bash", [Repository.Path("deploy", "scripts", "synthetic-check.sh"), service.BaseAddress.ToString()],
                environment: new Dictionary<string, string> { ["MONITOREDSERVICE_TOKEN"] = writer });
            var withExpired = await Tools.RunAsync("bash", [Repository.Path("deploy", "scripts", "synthetic-check.sh"), service.BaseAddress.ToString()],
                environment: new Dictionary<string, string> { ["MONITOREDSERVICE_TOKEN"] = expired });
            var without = await SyntheticCheckAsync(service.BaseAddress.ToString());

            withToken.ExitCode.Should().Be(0, withToken.All);
            withExpired.Output.Should().Contain("FAIL  create     401 (expected 201)");
            without.Output.Should().Contain("FAIL  create     401 (expected 201)");
            without.Output.Should().Contain("ok    live       200", "probes take no token");
            using var client = service.CreateClient();
            var metrics = await Exposition.ScrapeAsync(client);
            metrics.Value("monitoredservice_auth_failures_total", ("reason", "expired")).Should().Be(1);
            metrics.Value("monitoredservice_auth_failures_total", ("reason", "missing")).Should().Be(1);
            service.Stdout.Should().NotContain(writer.Split('.')[2]);
        }
        finally
        {
            File.Delete(keyFile);
        }

        static async Task<string> MintAsync(params string[] arguments)
        {
            var result = await Tools.RunAsync("bash", [Repository.Path("deploy", "scripts", "mint-token.sh"), .. arguments]);
            result.ExitCode.Should().Be(0, result.All);
            return result.Output.Trim();
        }
    }
#endif

    [Fact]
    public async Task TheSyntheticCheckFailsFastWhenNothingAnswers()
    {
        var clock = Stopwatch.StartNew();

        var result = await SyntheticCheckAsync("--timeout", "2", "--read-only", $"http://127.0.0.1:{ServiceProcess.FreePort()}");

        result.ExitCode.Should().Be(1);
        result.Output.Should().Contain("FAIL  live       000 (expected 200): no HTTP answer");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "every request is bounded (a generous bound)");
    }

    [Theory]
    [InlineData]
    [InlineData("--timeout", "soon", "http://127.0.0.1:1")]
    [InlineData("--bogus", "http://127.0.0.1:1")]
    public async Task TheSyntheticCheckExitsTwoOnAUsageMistake(params string[] arguments)
    {
        (await SyntheticCheckAsync(arguments)).ExitCode.Should().Be(2);
    }
#endif

    [Fact]
    public async Task DiagnoseReportsEveryPodAndExitsZeroWhenAllAreReady()
    {
        await using var kubectl = await FakeKubectl.CreateAsync(pods: ["monitoredservice-a", "monitoredservice-b"], notReady: []);

        var result = await kubectl.DiagnoseAsync("prod");

        result.ExitCode.Should().Be(0, result.All);
        result.Output.Should().Contain("== Pod monitoredservice-a").And.Contain("== Pod monitoredservice-b")
            .And.Contain("\"status\":\"Healthy\"").And.Contain("every pod is ready");
        result.Output.Should().Contain("Store failed").And.NotContain("request completed", "only error lines of the log");
        var calls = kubectl.Calls;
        calls.Should().Contain("get --raw /api/v1/namespaces/prod/pods/monitoredservice-a:8080/proxy/health/ready");
        calls.Where(call => !call.StartsWith("get --raw", StringComparison.Ordinal)).Should().OnlyContain(call => call.StartsWith("--namespace prod "));
        calls.Should().NotContain(call => new[] { " apply", " delete", " patch", " scale", " exec", " edit", " rollout restart" }.Any(call.Contains),
            "diagnostics change nothing");
    }

    [Fact]
    public async Task DiagnoseExitsOneWhenAPodIsNotReadyOrThereIsNone()
    {
        await using var oneNotReady = await FakeKubectl.CreateAsync(pods: ["monitoredservice-a", "monitoredservice-b"], notReady: ["monitoredservice-b"]);
        await using var none = await FakeKubectl.CreateAsync(pods: [], notReady: []);

        var notReady = await oneNotReady.DiagnoseAsync("prod");
        var empty = await none.DiagnoseAsync("prod");

        notReady.ExitCode.Should().Be(1);
        notReady.Output.Should().Contain("Ready condition: False").And.Contain("NOT READY");
        empty.ExitCode.Should().Be(1);
        empty.Output.Should().Contain("no pod matches app.kubernetes.io/name=monitoredservice in namespace prod");
    }

    [Fact]
    public async Task DiagnoseNeedsANamespace()
    {
        await using var kubectl = await FakeKubectl.CreateAsync(pods: [], notReady: []);

        (await kubectl.DiagnoseAsync()).ExitCode.Should().Be(2);
    }

#if (SampleApi)
    private static Task<Tools.Result> SyntheticCheckAsync(params string[] arguments) =>
        Tools.RunAsync("bash", [Repository.Path("deploy", "scripts", "synthetic-check.sh"), .. arguments]);
#endif

    /// <summary>A kubectl on PATH that answers the diagnostics script's questions like a cluster would.</summary>
    private sealed class FakeKubectl : IAsyncDisposable
    {
        private readonly DirectoryInfo _directory;

        private FakeKubectl(DirectoryInfo directory) => _directory = directory;

        public IReadOnlyList<string> Calls => File.Exists(CallLog) ? File.ReadAllLines(CallLog) : [];

        private string CallLog => Path.Combine(_directory.FullName, "calls");

        public static async Task<FakeKubectl> CreateAsync(string[] pods, string[] notReady)
        {
            var directory = Directory.CreateTempSubdirectory("monitoredservice-kubectl-");
            var script = $$"""
                #!/usr/bin/env bash
                echo "$*" >> "{{directory.FullName}}/calls"
                args="$*"
                case "$args" in
                  *"jsonpath={range .items"*) {{string.Concat(pods.Select(pod => $"echo {pod}; "))}}: ;;
                  *"get pod "*"Ready"*)
                    for pod in {{string.Join(' ', notReady)}}; do
                      case "$args" in *"get pod $pod "*) echo False; exit 0 ;; esac
                    done
                    echo True ;;
                  "get --raw "*) echo '{"status":"Healthy"}' ;;
                  *" logs "*"--since="*)
                    echo '{"log.level":"info","message":"request completed"}'
                    echo '{"log.level":"error","message":"Store failed (57P01)"}' ;;
                  *" logs "*"--previous"*) exit 1 ;;
                  *) echo "NAME READY" ;;
                esac
                """;
            var path = Path.Combine(directory.FullName, "kubectl");
            await File.WriteAllTextAsync(path, script.Replace("\r\n", "\n"));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            return new FakeKubectl(directory);
        }

        public Task<Tools.Result> DiagnoseAsync(params string[] arguments) =>
            Tools.RunAsync("bash", [Repository.Path("deploy", "scripts", "diagnose.sh"), .. arguments],
                environment: new Dictionary<string, string> { ["PATH"] = $"{_directory.FullName}:{Environment.GetEnvironmentVariable("PATH")}" });

        public ValueTask DisposeAsync()
        {
            _directory.Delete(recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
