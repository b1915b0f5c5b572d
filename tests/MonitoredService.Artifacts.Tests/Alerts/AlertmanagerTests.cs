using YamlDotNet.RepresentationModel;

namespace MonitoredService.Artifacts.Tests.Alerts;

/// <summary>alertmanager.yml: valid, routed by severity, secrets only from files.</summary>
public sealed class AlertmanagerTests
{
    private static readonly string ConfigPath = Repository.Path("alerts", "alertmanager.yml");

    /// <summary>The receivers of each severity, in route order (docs/on-call.md).</summary>
    internal static readonly Dictionary<string, string> ReceiversBySeverity = new()
    {
        ["critical"] = "pager,oncall-email,team-chat",
        ["warning"] = "team-chat,warning-digest",
        ["info"] = "info-chat",
    };

    public static TheoryData<string, string> RouteCases => RouteCaseLines();

    public static TheoryData<string> AlertNames => RuleTests.AlertNames;

    [Fact]
    public async Task AmtoolAcceptsTheConfiguration()
    {
        var (exitCode, output) = await Tools.AmtoolAsync("check-config", ConfigPath);

        exitCode.Should().Be(0, output);
        output.Should().Contain("SUCCESS");
    }

    [Theory]
    [MemberData(nameof(RouteCases))]
    public async Task AnAlertReachesTheExpectedReceivers(string receivers, string labels)
    {
        var (exitCode, output) = await RouteAsync(receivers, labels);

        exitCode.Should().Be(0, output);
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public async Task EveryAlertReachesTheReceiversOfItsSeverity(string alert)
    {
        var severity = RuleFiles.Alerts.Single(rule => rule.Alert == alert).Labels["severity"];

        var (exitCode, output) = await RouteAsync(ReceiversBySeverity[severity], $"alertname={alert} severity={severity} job=monitoredservice");

        exitCode.Should().Be(0, output);
    }

    [Fact]
    public void ReceiversReadTheirSecretsFromFiles()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(ConfigPath)));
        var receivers = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["receivers"];
        var settings = receivers.Children.OfType<YamlMappingNode>()
            .SelectMany(receiver => receiver.Children.Where(entry => ((YamlScalarNode)entry.Key).Value!.EndsWith("_configs", StringComparison.Ordinal)))
            .SelectMany(entry => ((YamlSequenceNode)entry.Value).Children.OfType<YamlMappingNode>())
            .SelectMany(config => config.Children.Select(setting => ((YamlScalarNode)setting.Key).Value!))
            .ToArray();

        settings.Should().Contain(["routing_key_file", "api_url_file"]);
        settings.Should().NotContain(["routing_key", "service_key", "api_url", "url", "auth_password"], "secrets are mounted files, not values in a ConfigMap");
        var global = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["global"];
        global.Children.Keys.Select(key => ((YamlScalarNode)key).Value).Should().Contain("smtp_auth_password_file").And.NotContain("smtp_auth_password");
    }

    [Fact]
    public void WarningsGoToTheTeamMailboxAtMostOnceADay()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(ConfigPath)));
        var routes = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["route"])["routes"];
        var digest = routes.Children.Cast<YamlMappingNode>().Single(route => route["receiver"].ToString() == "warning-digest");

        digest["group_interval"].ToString().Should().Be("24h");
        digest["repeat_interval"].ToString().Should().Be("24h");
        ((YamlSequenceNode)digest["group_by"]).Children.Select(label => label.ToString()).Should().Equal(["severity"], "every warning in one email");
    }

    private static Task<(int ExitCode, string Output)> RouteAsync(string receivers, string labels) =>
        Tools.AmtoolAsync(["config", "routes", "test", "--config.file", ConfigPath, $"--verify.receivers={receivers}", .. labels.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

    private static TheoryData<string, string> RouteCaseLines()
    {
        var cases = new TheoryData<string, string>();
        foreach (var line in File.ReadAllLines(Repository.Path("alerts", "alertmanager.routes.txt")).Where(line => line.Length > 0 && line[0] != '#'))
        {
            var parts = line.Split(" <- ");
            cases.Add(parts[0].Trim(), parts[1].Trim());
        }

        return cases;
    }
}
