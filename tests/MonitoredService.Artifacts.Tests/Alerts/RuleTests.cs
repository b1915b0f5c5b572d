using System.Text.RegularExpressions;

namespace MonitoredService.Artifacts.Tests.Alerts;

/// <summary>The rules are valid, every alert is tested by promtool, and every alert is complete.</summary>
public sealed partial class RuleTests
{
    private static readonly string[] Severities = ["critical", "warning", "info"];
    private static readonly string[] RunbookSections = ["## Meaning", "## Impact", "## Diagnosis", "## Mitigation"];

    public static TheoryData<string> TestFiles => new(RuleFiles.TestFiles.Select(Path.GetFileName).OfType<string>());

    public static TheoryData<string> AlertNames => new(RuleFiles.Alerts.Select(alert => alert.Alert!));

    [Fact]
    public async Task PromtoolAcceptsTheRuleFile()
    {
        var (exitCode, output) = await Tools.PromtoolAsync("check", "rules", RuleFiles.RulesPath);

        exitCode.Should().Be(0, output);
        output.Should().Contain($"SUCCESS: {RuleFiles.Rules.Count} rules found");
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public async Task PromtoolUnitTestsPass(string testFile)
    {
        var (exitCode, output) = await Tools.PromtoolAsync("test", "rules", Repository.Path("alerts", "tests", testFile));

        exitCode.Should().Be(0, output);
        output.Should().Contain("SUCCESS");
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public void EveryAlertHasItsOwnPromtoolTestWithCasesThatFireAndCasesThatStayQuiet(string alert)
    {
        var testFile = Repository.Path("alerts", "tests", $"{alert}.test.yml");

        File.Exists(testFile).Should().BeTrue($"{alert} needs alerts/tests/{alert}.test.yml");
        RuleFiles.AlertsTestedBy(testFile).Should().Equal([alert]);
        var text = File.ReadAllText(testFile);
        text.Should().Contain("exp_alerts: []", "a test also proves when the alert stays quiet");
        text.Should().Contain("exp_annotations:", "a test asserts the full annotation set of the alert that fires");
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public void EveryAlertHasASeveritySummaryTemplatedDescriptionAndARunbook(string alert)
    {
        var rule = RuleFiles.Alerts.Single(rule => rule.Alert == alert);

        Severities.Should().Contain(rule.Labels.GetValueOrDefault("severity"));
        rule.Annotations.GetValueOrDefault("summary").Should().NotBeNullOrWhiteSpace();
        rule.Annotations.GetValueOrDefault("description").Should().Contain("{{ $labels.", "the description says which job, instance or endpoint");
        var runbookUrl = rule.Annotations.GetValueOrDefault("runbook_url");
        runbookUrl.Should().EndWith($"/docs/runbooks/{alert}.md");
        var runbook = Repository.Path("docs", "runbooks", $"{alert}.md");
        File.Exists(runbook).Should().BeTrue();
        File.ReadAllText(runbook).Should().ContainAll(RunbookSections).And.Contain("```promql", "diagnosis gives the exact queries");
    }

    [Fact]
    public void EveryRunbookAndEveryTestFileBelongsToAnAlert()
    {
        var alerts = RuleFiles.Alerts.Select(alert => alert.Alert!).ToHashSet();

        Directory.GetFiles(Repository.Path("docs", "runbooks"), "*.md").Select(Path.GetFileNameWithoutExtension).Should().BeSubsetOf(alerts);
        RuleFiles.TestFiles.Select(file => Path.GetFileName(file)[..^".test.yml".Length]).Should().BeSubsetOf(alerts);
    }

    [Fact]
    public void RecordingRulesAreNamedLevelMetricOperations()
    {
        RuleFiles.RecordingRuleNames.Should().NotBeEmpty().And.OnlyContain(name => LevelMetricOperations().IsMatch(name));
    }

    [Fact]
    public void RulesSelectTheJobOfWhatExportsTheirMetrics()
    {
        var recorded = RuleFiles.RecordingRuleNames.ToHashSet();
        foreach (var rule in RuleFiles.Rules)
        {
            foreach (var name in PromQl.MetricNames(rule.Expr).Where(name => !recorded.Contains(name) && !SignalContract.PrometheusNames.Contains(name)))
            {
                var addOn = SignalContract.AddOnJobs.Where(a => name.StartsWith(a.Prefix, StringComparison.Ordinal)).Select(a => a.Job).FirstOrDefault();
                if (addOn is "kube-state-metrics")
                {
                    continue; // selected by container, whatever kube-state-metrics' job is called
                }

                var job = addOn ?? "monitoredservice";
                rule.Expr.Should().Contain($"job=\"{job}\"", $"{rule} reads {name}, scraped as job {job} in every deployment of the kit");
            }
        }
    }

    [Fact]
    public void TheAddOnsJobsAreTheJobsTheShippedScrapeConfigurationsProduce()
    {
        var compose = File.ReadAllText(Repository.Path("deploy", "compose", "prometheus", "prometheus.yml"));
#if (WithPostgres)
        foreach (var job in new[] { "monitoredservice-postgres", "monitoredservice-blackbox", "node", "fluent-bit" })
#else
        foreach (var job in new[] { "monitoredservice-blackbox", "node", "fluent-bit" })
#endif
        {
            SignalContract.AddOnJobs.Select(a => a.Job).Should().Contain(job);
            compose.Should().Contain($"job_name: {job}\n", "the local stack scrapes it under the job its alerts select");
        }

#if (WithPostgres)
        foreach (var (addOn, job) in new[] { ("postgres-exporter", "monitoredservice-postgres"), ("blackbox-exporter", "monitoredservice-blackbox"), ("fluent-bit", "fluent-bit") })
#else
        foreach (var (addOn, job) in new[] { ("blackbox-exporter", "monitoredservice-blackbox"), ("fluent-bit", "fluent-bit") })
#endif
        {
            var monitor = File.ReadAllText(Repository.Path("deploy", "k8s", "addons", addOn, "servicemonitor.yaml"));
            var service = File.ReadAllText(Repository.Path("deploy", "k8s", "addons", addOn, "service.yaml"));
            monitor.Should().Contain("jobLabel: app.kubernetes.io/name");
            service.Should().Contain($"app.kubernetes.io/name: {job}\n", "the ServiceMonitor's job is the Service's name label");
        }
    }

    [GeneratedRegex("^[a-z_]+:[a-z_]+:[a-z0-9_]+$")]
    private static partial Regex LevelMetricOperations();
}
