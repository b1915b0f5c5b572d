using System.Text.RegularExpressions;

namespace MonitoredService.Testing.Artifacts;

/// <summary>
/// Where metric names are used outside the code (rules, panels, runbook queries), and which names
/// may be used without the service exporting them.
/// </summary>
public static partial class SignalContract
{
    /// <summary>Metrics that come from elsewhere: Prometheus itself and kube-state-metrics.</summary>
    public static readonly string[] ExternalNames = ["up", "scrape_duration_seconds"];

    public const string ExternalPrefix = "kube_";

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

    /// <summary>The uses of names that are neither exported, recorded nor external.</summary>
    public static IEnumerable<string> Unknown(IEnumerable<(string Where, string Name)> uses, IReadOnlySet<string> exported)
    {
        var recorded = RuleFiles.RecordingRuleNames.ToHashSet();
        return uses
            .Where(use => !exported.Contains(use.Name) && !recorded.Contains(use.Name)
                && !ExternalNames.Contains(use.Name) && !use.Name.StartsWith(ExternalPrefix, StringComparison.Ordinal))
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
