using System.Text.RegularExpressions;

namespace MonitoredService.Testing.Artifacts;

/// <summary>
/// Where metric names are used outside the code (rules, panels, runbook queries), and which names
/// may be used without the service exporting them.
/// </summary>
public static partial class SignalContract
{
    /// <summary>Metrics Prometheus itself makes: a target's health and the alerts it holds.</summary>
    public static readonly string[] PrometheusNames = ["up", "scrape_duration_seconds", "ALERTS"];

    /// <summary>
    /// The add-ons whose metrics rules and panels read, by name prefix, and the scrape job they are
    /// read from (the compose stack's job names, the Kubernetes add-ons' ServiceMonitors, and
    /// kube-prometheus-stack's for the kubelet and kube-state-metrics).
    /// </summary>
    public static readonly (string Prefix, string Job)[] AddOnJobs =
    [
#if (WithPostgres)
        ("pg_", "monitoredservice-postgres"),
#endif
        ("probe_", "monitoredservice-blackbox"),
        ("node_", "node"),
        ("fluentbit_", "fluent-bit"),
        ("kubelet_", "kubelet"),
        ("kube_", "kube-state-metrics"),
    ];

    /// <summary>
    /// Prefixes of the add-ons that cannot run here, whose names are taken on trust, and why. Every
    /// other add-on's names are checked against what the real exporter exposes.
    /// </summary>
    public static readonly Dictionary<string, string> UncheckedPrefixes = new()
    {
        ["kube_"] = "kube-state-metrics needs a Kubernetes API server",
        ["kubelet_"] = "the kubelet's volume stats need a kubelet",
        ["fluentbit_"] = "Fluent Bit is not installable here (names from its /api/v2/metrics/prometheus documentation)",
    };

    /// <summary>Every use of a metric name: (where, name).</summary>
    public static IEnumerable<(string Where, string Name)> Uses()
    {
        foreach (var rule in RuleFiles.Rules)
        {
            foreach (var name in PromQl.MetricNames(rule.Expr))
            {
                yield return ($"rule {rule}", name);
            }
        }

        foreach (var path in DashboardFiles.Paths)
        {
            foreach (var expression in DashboardFiles.Expressions(DashboardFiles.Load(path)))
            {
                foreach (var name in PromQl.MetricNames(expression))
                {
                    yield return ($"dashboard {Path.GetFileName(path)}", name);
                }
            }
        }

        foreach (var path in Directory.GetFiles(Repository.Path("docs", "runbooks"), "*.md"))
        {
            foreach (Match block in PromQlBlock().Matches(File.ReadAllText(path)))
            {
                foreach (var name in PromQl.MetricNames(block.Groups["query"].Value))
                {
                    yield return ($"runbook {Path.GetFileName(path)}", name);
                }
            }
        }
    }

    /// <summary>The uses of names that are neither exported (by the service or a real exporter), recorded, Prometheus's nor unchecked.</summary>
    public static IEnumerable<string> Unknown(IEnumerable<(string Where, string Name)> uses, IReadOnlySet<string> exported)
    {
        var recorded = RuleFiles.RecordingRuleNames.ToHashSet();
        return uses
            .Where(use => !exported.Contains(use.Name) && !recorded.Contains(use.Name)
                && !PrometheusNames.Contains(use.Name) && !UncheckedPrefixes.Keys.Any(prefix => use.Name.StartsWith(prefix, StringComparison.Ordinal)))
            .Select(use => $"{use.Name} ({use.Where})")
            .Distinct();
    }

    /// <summary>Names the exposition offers: every sample's name, every family, and each histogram's series.</summary>
    public static IReadOnlySet<string> ExportedNames(Exposition exposition)
    {
        var names = exposition.Series.Select(series => SampleName().Match(series).Value).ToHashSet();
        foreach (var line in exposition.Text.Split('\n').Where(line => line.StartsWith("# TYPE ", StringComparison.Ordinal)))
        {
            var parts = line.Split(' ');
            names.Add(parts[2]);
            if (parts[3] == "histogram")
            {
                names.UnionWith([$"{parts[2]}_bucket", $"{parts[2]}_sum", $"{parts[2]}_count"]);
            }
        }

        return names;
    }

    [GeneratedRegex(@"```promql\s*\n(?<query>.*?)```", RegexOptions.Singleline)]
    private static partial Regex PromQlBlock();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();
}
