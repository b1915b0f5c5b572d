using System.Text.Json.Nodes;
using MonitoredService.Artifacts.Tests.Alerts;
using YamlDotNet.RepresentationModel;

namespace MonitoredService.Artifacts.Tests.Deploy;

/// <summary>
/// deploy/k8s/operator, what a cluster with the Prometheus operator adds (the schemas are checked in
/// <see cref="KubernetesManifestTests"/>): the AlertmanagerConfig routes, inhibits and reads its
/// secrets as alerts/alertmanager.yml does, the dashboards' ConfigMaps are the dashboards, both
/// generators' <c>--check</c> catch a stale manifest, and the chart's values hold what the kit needs.
/// No cluster here: what the operator does with these objects is taken from its CRD and docs.
/// </summary>
public sealed class OperatorKitTests
{
    private static readonly string ValuesPath = Repository.Path("deploy", "k8s", "operator", "kube-prometheus-stack-values.yaml");

    public static TheoryData<string, string> RouteCases => AlertmanagerTests.RouteCases;

    public static TheoryData<string> AlertNames => RuleTests.AlertNames;

    [Fact]
    public async Task TheAlertmanagerConfigIsRenderedFromAlertmanagerYml()
    {
        var check = await RenderAlertmanagerConfigAsync(Repository.Root, "--check");

        check.ExitCode.Should().Be(0, check.All);
    }

    [Fact]
    public async Task TheAlertmanagerConfigCheckFailsWhenTheRoutingChanges()
    {
        using var copy = new RepositoryCopy("alerts/alertmanager.yml", "deploy/k8s/operator/alertmanagerconfig.yaml", "deploy/scripts/render-alertmanagerconfig.cs");
        copy.Edit("alerts/alertmanager.yml", text => text.Replace("group_wait: 10s", "group_wait: 15s", StringComparison.Ordinal));

        var check = await RenderAlertmanagerConfigAsync(copy.Root, "--check");

        check.ExitCode.Should().Be(1);
        check.Error.Should().Contain("out of date");
    }

    [Fact]
    public async Task TheGeneratorRefusesASettingItDoesNotKnow()
    {
        using var copy = new RepositoryCopy("alerts/alertmanager.yml", "deploy/k8s/operator/alertmanagerconfig.yaml", "deploy/scripts/render-alertmanagerconfig.cs");
        copy.Edit("alerts/alertmanager.yml", text => text.Replace("  - name: pager\n", "  - name: pager\n    opsgenie_configs:\n      - api_key_file: /x\n", StringComparison.Ordinal));

        var render = await RenderAlertmanagerConfigAsync(copy.Root);

        render.ExitCode.Should().Be(1);
        render.Error.Should().Contain("opsgenie_configs").And.Contain("not rendered");
    }

    [Theory]
    [MemberData(nameof(RouteCases))]
    public async Task TheAlertmanagerConfigRoutesAsTheConfigurationDoes(string receivers, string labels)
    {
        // Alerts the AlertmanagerConfig does not select (not ours) stay with the cluster's own root.
        var expected = System.Text.RegularExpressions.Regex.IsMatch(labels, "alertname=MonitoredService.+") ? receivers : "cluster-default";

        var (exitCode, output) = await RouteThroughTheOperatorAsync(expected, labels);

        exitCode.Should().Be(0, output);
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public async Task EveryAlertReachesItsReceiversThroughTheAlertmanagerConfig(string alert)
    {
        var severity = RuleFiles.Alerts.Single(rule => rule.Alert == alert).Labels["severity"];

        // Another namespace than the service's: the alerts on Fluent Bit and the node carry theirs.
        var (exitCode, output) = await RouteThroughTheOperatorAsync(AlertmanagerTests.ReceiversBySeverity[severity], $"alertname={alert} severity={severity} namespace=logging");

        exitCode.Should().Be(0, output);
    }

    [Fact]
    public async Task TheInhibitionsAreTheConfigurations()
    {
        var source = Load(File.ReadAllText(Repository.Path("alerts", "alertmanager.yml")))["inhibit_rules"]!.AsArray();
        var rendered = (await Manifests.SingleAsync(Manifests.Operator, "AlertmanagerConfig"))["spec"]!["inhibitRules"]!.AsArray();

        rendered.Should().HaveCount(source.Count);
        foreach (var (from, to) in source.Zip(rendered))
        {
            Matchers(to!["sourceMatch"]!).Should().Equal(from!["source_matchers"]!.AsArray().Select(m => Normalize((string)m!)));
            Matchers(to["targetMatch"]!).Should().Equal(from["target_matchers"]!.AsArray().Select(m => Normalize((string)m!)));
            to["equal"]!.ToJsonString().Should().Be(from["equal"]!.ToJsonString());
        }
    }

    [Fact]
    public async Task EverySecretFileBecomesAKeyOfTheSecretAndNoSecretIsInline()
    {
        var source = File.ReadAllText(Repository.Path("alerts", "alertmanager.yml"));
        var files = System.Text.RegularExpressions.Regex.Matches(source, @"_file: (\S+)").Select(m => Path.GetFileName(m.Groups[1].Value)).ToHashSet();
        var config = await Manifests.SingleAsync(Manifests.Operator, "AlertmanagerConfig");
        var header = File.ReadAllText(Repository.Path("deploy", "k8s", "operator", "alertmanagerconfig.yaml"));

        var references = SecretReferences(config).ToArray();
        references.Select(r => r.Name).Distinct().Should().Equal(["monitoredservice-alertmanager"]);
        references.Select(r => r.Key).ToHashSet().Should().BeEquivalentTo(files, "each *_file of alertmanager.yml is a key of the Secret");
        foreach (var key in files)
        {
            header.Should().Contain($"--from-file={key}=", "the manifest says how to create the Secret");
        }

        var receivers = config["spec"]!["receivers"]!.ToJsonString();
        receivers.Should().NotContain("_file").And.NotContain("hooks.slack.com").And.NotContain("\"authPassword\":\"");
        ((string)config["spec"]!["route"]!["matchers"]![0]!["value"]!).Should().Be("MonitoredService.+", "the top route takes our alerts only");
    }

    [Fact]
    public async Task TheDashboardConfigMapsAreTheDashboards()
    {
        var maps = (await Manifests.OfAsync(Manifests.Operator)).Where(o => Manifests.Kind(o) == "ConfigMap").ToArray();

        maps.Select(m => ((JsonObject)m["data"]!).Single().Key).Should().BeEquivalentTo(DashboardFiles.Paths.Select(Path.GetFileName));
        foreach (var map in maps)
        {
            ((string)map["metadata"]!["labels"]!["grafana_dashboard"]!).Should().Be("1", "Grafana's sidecar loads ConfigMaps so labelled");
            ((string)map["metadata"]!["annotations"]!["grafana_folder"]!).Should().Be("MonitoredService");
            var (file, json) = ((JsonObject)map["data"]!).Single();
            ((string)json!).Should().Be(File.ReadAllText(Repository.Path("dashboards", file)), "the ConfigMap carries the file as it is");
            ((string)json!).Length.Should().BeLessThan(1_000_000, "a ConfigMap holds at most 1 MiB");
        }

        var check = await Tools.RunAsync("bash", [Repository.Path("deploy", "scripts", "render-dashboards.sh"), "--check"]);
        check.ExitCode.Should().Be(0, check.All);
    }

    [Fact]
    public async Task TheDashboardsCheckFailsWhenADashboardChanges()
    {
        using var copy = new RepositoryCopy(
            [.. DashboardFiles.Paths.Select(p => Path.GetRelativePath(Repository.Root, p)),
             .. DashboardFiles.Paths.Select(p => $"deploy/k8s/operator/dashboards/{Path.GetFileNameWithoutExtension(p)}.yaml"), "deploy/scripts/render-dashboards.sh"]);
        copy.Edit("dashboards/monitoredservice-overview.json", text => text.Replace("\"API latency percentiles\"", "\"API latency\"", StringComparison.Ordinal));

        var check = await Tools.RunAsync("bash", [Path.Combine(copy.Root, "deploy", "scripts", "render-dashboards.sh"), "--check"]);

        check.ExitCode.Should().Be(1);
        check.Error.Should().Contain("out of date");
    }

    [Fact]
    public void TheChartsValuesSelectTheKitAndKeepTheRetentionTheDocsGive()
    {
        var values = Load(File.ReadAllText(ValuesPath));
        var prometheus = values["prometheus"]!["prometheusSpec"]!;
        var alertmanager = values["alertmanager"]!["alertmanagerSpec"]!;

        ((bool)prometheus["serviceMonitorSelectorNilUsesHelmValues"]!).Should().BeFalse();
        ((bool)prometheus["ruleSelectorNilUsesHelmValues"]!).Should().BeFalse();
        prometheus["enableFeatures"]!.AsArray().Select(f => (string)f!).Should().Contain("exemplar-storage");
        ((string)prometheus["retention"]!).Should().Be("31d", "the SLO window (30 days) and a day");
        var size = double.Parse(((string)prometheus["retentionSize"]!).TrimEnd('B', 'G'), System.Globalization.CultureInfo.InvariantCulture);
        var volume = double.Parse(((string)prometheus["storageSpec"]!["volumeClaimTemplate"]!["spec"]!["resources"]!["requests"]!["storage"]!).TrimEnd('i', 'G'), System.Globalization.CultureInfo.InvariantCulture);
        (size * 1e9).Should().BeLessThan(volume * 0.95 * (1L << 30), "the size bound keeps the volume from filling");
        prometheus["externalLabels"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(["cluster", "environment"]);
        ((string)alertmanager["alertmanagerConfigMatcherStrategy"]!["type"]!).Should().Be("None", "the Fluent Bit and node alerts carry other namespaces");
        ((string)values["alertmanager"]!["config"]!["global"]!["resolve_timeout"]!).Should().Be(
            (string)Load(File.ReadAllText(Repository.Path("alerts", "alertmanager.yml")))["global"]!["resolve_timeout"]!);
        var sidecar = values["grafana"]!["sidecar"]!;
        ((string)sidecar["dashboards"]!["label"]!).Should().Be("grafana_dashboard");
        ((string)sidecar["dashboards"]!["folderAnnotation"]!).Should().Be("grafana_folder");
        ((string)sidecar["datasources"]!["exemplarTraceIdDestinations"]!["datasourceUid"]!).Should().Be("jaeger");
    }

    [Fact]
    public void TheClustersDataSourcesAreTheLocalStacks()
    {
        var local = Load(File.ReadAllText(Repository.Path("dashboards", "provisioning", "datasources", "monitoredservice.yml")))["datasources"]!.AsArray();
        var cluster = Load(File.ReadAllText(ValuesPath))["grafana"]!["additionalDataSources"]!.AsArray();

        foreach (var uid in new[] { "jaeger", "elasticsearch" })
        {
            var mine = local.Single(d => (string)d!["uid"]! == uid)!;
            var theirs = cluster.Single(d => (string)d!["uid"]! == uid)!;
            ((string)theirs["type"]!).Should().Be((string)mine["type"]!);
            JsonNode.DeepEquals(theirs["jsonData"], mine["jsonData"]).Should().BeTrue($"{uid}: only URLs and credentials differ");
        }

        var exemplars = local.Single(d => (string)d!["uid"]! == "prometheus")!["jsonData"]!["exemplarTraceIdDestinations"]![0]!;
        var sidecar = Load(File.ReadAllText(ValuesPath))["grafana"]!["sidecar"]!["datasources"]!["exemplarTraceIdDestinations"]!;
        ((string)sidecar["traceIdLabelName"]!).Should().Be((string)exemplars["name"]!);
    }

    /// <summary>
    /// amtool over the AlertmanagerConfig turned back into an Alertmanager configuration, as the
    /// operator nests it: under a root of the cluster's own (receiver cluster-default), with no
    /// namespace matcher (alertmanagerConfigMatcherStrategy None, as the chart's values set).
    /// </summary>
    private static async Task<(int ExitCode, string Output)> RouteThroughTheOperatorAsync(string receivers, string labels)
    {
        var spec = (await Manifests.SingleAsync(Manifests.Operator, "AlertmanagerConfig"))["spec"]!;
        var names = spec["receivers"]!.AsArray().Select(r => (string)r!["name"]!).Append("cluster-default");
        var ours = Route(spec["route"]!);
        ours["continue"] = true;
        var config = new JsonObject
        {
            ["route"] = new JsonObject { ["receiver"] = "cluster-default", ["routes"] = new JsonArray(ours) },
            ["receivers"] = new JsonArray(names.Select(name => (JsonNode)new JsonObject { ["name"] = name }).ToArray()),
        };
        var path = Path.Combine(Path.GetTempPath(), $"monitoredservice-operator-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(path, config.ToJsonString()); // JSON is YAML
        try
        {
            return await Tools.AmtoolAsync(["config", "routes", "test", "--config.file", path, $"--verify.receivers={receivers}", .. labels.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>An AlertmanagerConfig route in Alertmanager's own names.</summary>
    private static JsonObject Route(JsonNode route)
    {
        var result = new JsonObject();
        foreach (var (key, value) in route.AsObject())
        {
            result[key switch
            {
                "groupBy" => "group_by",
                "groupWait" => "group_wait",
                "groupInterval" => "group_interval",
                "repeatInterval" => "repeat_interval",
                _ => key,
            }] = key switch
            {
                "matchers" => new JsonArray(Matchers(value!).Select(m => (JsonNode)JsonValue.Create(m)!).ToArray()),
                "routes" => new JsonArray(value!.AsArray().Select(child => (JsonNode)Route(child!)).ToArray()),
                _ => value!.DeepClone(),
            };
        }

        return result;
    }

    private static IEnumerable<string> Matchers(JsonNode matchers) =>
        matchers.AsArray().Select(m => $"{(string)m!["name"]!}{(string)m["matchType"]!}\"{((string)m["value"]!).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");

    /// <summary>A matcher of alertmanager.yml as <see cref="Matchers"/> writes one: no spaces, the value quoted.</summary>
    private static string Normalize(string matcher)
    {
        var match = System.Text.RegularExpressions.Regex.Match(matcher, "^\\s*(\\w+)\\s*(=~|!~|!=|=)\\s*(.*?)\\s*$");
        var value = match.Groups[3].Value;
        return $"{match.Groups[1].Value}{match.Groups[2].Value}{(value.StartsWith('"') ? value : $"\"{value}\"")}";
    }

    private static IEnumerable<(string Name, string Key)> SecretReferences(JsonNode node) => node switch
    {
        // A secret key selector: exactly a name and a key (matchers have a value, key/value pairs no name).
        JsonObject o when o.Count == 2 && o.ContainsKey("name") && o.ContainsKey("key") => [((string)o["name"]!, (string)o["key"]!)],
        JsonObject o => o.SelectMany(pair => pair.Value is null ? [] : SecretReferences(pair.Value)),
        JsonArray a => a.SelectMany(item => item is null ? [] : SecretReferences(item)),
        _ => [],
    };

    private static Task<Tools.Result> RenderAlertmanagerConfigAsync(string root, params string[] arguments) =>
        Tools.RunAsync("dotnet", ["run", "--file", Path.Combine(root, "deploy", "scripts", "render-alertmanagerconfig.cs"), "--", .. arguments], workingDirectory: root);

    private static JsonNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Manifests.ToJson(stream.Documents[0].RootNode)!;
    }

    /// <summary>Some files of the repository in a temporary directory, with the build settings a .NET file-based app needs.</summary>
    private sealed class RepositoryCopy : IDisposable
    {
        private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("monitoredservice-copy-");

        public RepositoryCopy(params string[] paths)
        {
            foreach (var path in paths.Concat(["Directory.Build.props", "Directory.Packages.props", ".editorconfig"]).Where(p => File.Exists(Repository.Path(p))))
            {
                var target = Path.Combine(Root, path);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Repository.Path(path), target);
            }
        }

        public string Root => _directory.FullName;

        public void Edit(string path, Func<string, string> change)
        {
            var file = Path.Combine(Root, path);
            var before = File.ReadAllText(file);
            var after = change(before);
            after.Should().NotBe(before, $"the test changes {path}");
            File.WriteAllText(file, after);
        }

        public void Dispose() => _directory.Delete(recursive: true);
    }
}
