using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MonitoredService.Testing.Artifacts;

/// <summary>The Prometheus rule files of alerts/, their promtool tests and the runbooks, as data.</summary>
public static class RuleFiles
{
    public static readonly string RulesPath = Repository.Path("alerts", "monitoredservice.rules.yml");

    private static readonly Lazy<IReadOnlyList<Rule>> AllRules = new(() =>
        new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).IgnoreUnmatchedProperties().Build()
            .Deserialize<RuleFile>(File.ReadAllText(RulesPath)).Groups.SelectMany(group => group.Rules).ToArray());

    public static IReadOnlyList<Rule> Rules => AllRules.Value;

    public static IEnumerable<Rule> Alerts => Rules.Where(rule => rule.Alert is not null);

    public static IEnumerable<string> RecordingRuleNames => Rules.Where(rule => rule.Record is not null).Select(rule => rule.Record!);

    public static IEnumerable<string> TestFiles => Directory.GetFiles(Repository.Path("alerts", "tests"), "*.test.yml").Order();

    /// <summary>The alert names a promtool test file evaluates.</summary>
    public static IReadOnlySet<string> AlertsTestedBy(string testFile) =>
        new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).IgnoreUnmatchedProperties().Build()
            .Deserialize<TestFile>(File.ReadAllText(testFile)).Tests
            .SelectMany(test => test.AlertRuleTest).Select(check => check.Alertname).ToHashSet();

    public sealed class RuleFile
    {
        public List<RuleGroup> Groups { get; set; } = [];
    }

    public sealed class RuleGroup
    {
        public string Name { get; set; } = "";

        public List<Rule> Rules { get; set; } = [];
    }

    public sealed class Rule
    {
        public string? Record { get; set; }

        public string? Alert { get; set; }

        public string Expr { get; set; } = "";

        public string? For { get; set; }

        public Dictionary<string, string> Labels { get; set; } = [];

        public Dictionary<string, string> Annotations { get; set; } = [];

        public override string ToString() => Alert ?? Record ?? "";
    }

    public sealed class TestFile
    {
        public List<UnitTest> Tests { get; set; } = [];
    }

    public sealed class UnitTest
    {
        public List<AlertCheck> AlertRuleTest { get; set; } = [];
    }

    public sealed class AlertCheck
    {
        public string Alertname { get; set; } = "";
    }
}
