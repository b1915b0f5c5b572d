using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace MonitoredService.RealProcess.Tests.EndToEnd;

/// <summary>The end-to-end test's copies of the rules and the Alertmanager configuration differ from the shipped files only where they say.</summary>
public sealed class TestCopiesTests
{
    [Fact]
    public void TheTestRulesDifferOnlyInTheirForDurations()
    {
        var shipped = File.ReadAllLines(RuleFiles.RulesPath);
        var copy = MonitoringStack.TestRules().TrimEnd('\n').Split('\n');

        copy.Should().HaveCount(shipped.Length);
        var changed = shipped.Zip(copy).Where(pair => pair.First != pair.Second).ToArray();
        changed.Should().NotBeEmpty();
        changed.Should().OnlyContain(pair => pair.First.TrimStart().StartsWith("for: ")
            && pair.Second.Trim() == $"for: {MonitoringStack.TestFor(pair.First.Trim().Substring("for: ".Length)).TotalSeconds:0}s");
        changed.Should().Contain(pair => pair.Second.Trim() == $"for: {MonitoringStack.ShortFor.TotalSeconds:0}s", "alerts shorter than 5 minutes stay shorter");
        MonitoringStack.TestFor("1m").Should().BeLessThan(MonitoringStack.TestFor("5m"), "the cause (PostgresDown, 1m) fires before its symptoms (5m)");
    }

    [Fact]
    public async Task TheTestAlertmanagerConfigRoutesAndInhibitsLikeTheShippedOne()
    {
        var shipped = Load(File.ReadAllText(Repository.Path("alerts", "alertmanager.yml")));
        var text = MonitoringStack.TestAlertmanagerConfig(new Uri("http://127.0.0.1:9/"), "127.0.0.1:25", "/dev/null");
        var copy = Load(text);

        JsonNode.DeepEquals(copy["inhibit_rules"], shipped["inhibit_rules"]).Should().BeTrue();
        Receivers(copy["route"]!).Should().Equal(Receivers(shipped["route"]!));
        Matchers(copy["route"]!).Should().Equal(Matchers(shipped["route"]!));
        copy["receivers"]!.AsArray().Select(r => (string)r!["name"]!).Should().Equal(shipped["receivers"]!.AsArray().Select(r => (string)r!["name"]!));
        copy["receivers"]!.AsArray().Should().OnlyContain(r => r!["webhook_configs"] != null && r.AsObject().Count == (r["email_configs"] == null ? 2 : 3));
        foreach (var receiver in shipped["receivers"]!.AsArray().Where(r => r!["email_configs"] != null))
        {
            JsonNode.DeepEquals(copy["receivers"]!.AsArray().Single(r => (string)r!["name"]! == (string)receiver!["name"]!)!["email_configs"], receiver!["email_configs"])
                .Should().BeTrue("email receivers keep their addresses and templates");
        }

        copy["global"]!.AsObject().Select(pair => pair.Key).Should().BeEquivalentTo(shipped["global"]!.AsObject().Select(pair => pair.Key));
        copy["global"]!.AsObject().Where(pair => !JsonNode.DeepEquals(pair.Value, shipped["global"]![pair.Key]))
            .Select(pair => pair.Key).Should().BeEquivalentTo(MonitoringStack.ChangedGlobals, "only the smarthost is the test's");

        var file = Path.Combine(Path.GetTempPath(), $"monitoredservice-am-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(file, text);
        try
        {
            var check = await Tools.RunAsync("amtool", ["check-config", file]);
            check.ExitCode.Should().Be(0, check.All);
            foreach (var severity in new[] { "critical", "warning", "info" })
            {
                var shippedRoute = await Tools.AmtoolAsync("config", "routes", "test", $"--config.file={Repository.Path("alerts", "alertmanager.yml")}", $"severity={severity}");
                var copyRoute = await Tools.AmtoolAsync("config", "routes", "test", $"--config.file={file}", $"severity={severity}");
                copyRoute.Output.Should().Be(shippedRoute.Output, $"severity={severity} reaches the same receivers");
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static JsonObject Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Manifests.ToJson(stream.Documents[0].RootNode)!.AsObject();
    }

    private static IEnumerable<string> Receivers(JsonNode route) =>
        new[] { (string)route["receiver"]! }.Concat(route["routes"]?.AsArray().SelectMany(child => Receivers(child!)) ?? []);

    private static IEnumerable<string> Matchers(JsonNode route) =>
        (route["matchers"]?.AsArray().Select(m => (string)m!) ?? []).Concat(route["routes"]?.AsArray().SelectMany(child => Matchers(child!)) ?? []);
}
