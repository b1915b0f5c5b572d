using System.Text.Json.Nodes;

namespace MonitoredService.Artifacts.Tests.Deploy;

/// <summary>
/// deploy/k8s/addons: postgres_exporter and the blackbox exporter as the cluster runs them (rendered
/// by <c>kubectl kustomize</c>; the schemas are checked in <see cref="KubernetesManifestTests"/>):
/// restricted pods, credentials and the probe's token from Secrets only, ports open to the
/// monitoring namespace only, and ServiceMonitors that produce the jobs and labels the alerts select.
/// </summary>
public sealed class AddOnManifestTests
{
    public static TheoryData<string> AddOns => new(Manifests.PostgresExporter, Manifests.BlackboxExporter);

    [Theory]
    [MemberData(nameof(AddOns))]
    public async Task TheExporterRunsAsARestrictedPod(string addOn)
    {
        var objects = await Manifests.OfAsync(addOn);
        objects.Select(Manifests.Kind).Should().Contain(["Deployment", "Service", "ServiceMonitor", "NetworkPolicy"]);
        var pod = (await Manifests.SingleAsync(addOn, "Deployment"))["spec"]!["template"]!["spec"]!.AsObject();
        var container = pod["containers"]!.AsArray().Single()!.AsObject();

        ((bool)pod["securityContext"]!["runAsNonRoot"]!).Should().BeTrue();
        ((string)pod["securityContext"]!["seccompProfile"]!["type"]!).Should().Be("RuntimeDefault");
        ((bool)pod["automountServiceAccountToken"]!).Should().BeFalse("an exporter needs no Kubernetes API");
        ((bool)container["securityContext"]!["readOnlyRootFilesystem"]!).Should().BeTrue();
        ((bool)container["securityContext"]!["allowPrivilegeEscalation"]!).Should().BeFalse();
        container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!).Should().Equal("ALL");
        container["resources"]!["limits"]!["memory"].Should().NotBeNull();
        ((string)container["image"]!).Should().MatchRegex(@":v\d+\.\d+\.\d+$", "a pinned version");
    }

    [Theory]
    [MemberData(nameof(AddOns))]
    public async Task OnlyTheMonitoringNamespaceReachesTheExporter(string addOn)
    {
        var policy = await Manifests.SingleAsync(addOn, "NetworkPolicy");
        var deployment = await Manifests.SingleAsync(addOn, "Deployment");

        policy["spec"]!["podSelector"]!["matchLabels"]!.ToJsonString().Should().Be(deployment["spec"]!["selector"]!["matchLabels"]!.ToJsonString());
        var rule = policy["spec"]!["ingress"]!.AsArray().Should().ContainSingle().Subject!;
        ((string)rule["from"]![0]!["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]!).Should().Be("monitoring");
    }

    [Fact]
    public async Task PostgresExporterTakesTheServerAndItsLoginFromTheSecret()
    {
        var container = (await Manifests.SingleAsync(Manifests.PostgresExporter, "Deployment"))["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var env = container["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!.AsObject());

        env.Keys.Should().BeEquivalentTo(["DATA_SOURCE_URI", "DATA_SOURCE_USER", "DATA_SOURCE_PASS"]);
        env.Values.Should().OnlyContain(e => (string)e["valueFrom"]!["secretKeyRef"]!["name"]! == "monitoredservice-postgres-exporter" && !e.ContainsKey("value"));
        (await Manifests.OfAsync(Manifests.PostgresExporter)).Select(Manifests.Kind).Should().NotContain("Secret", "the operator creates it (README)");
    }

    [Fact]
    public async Task BlackboxRunsTheShippedModulesWithTheTokenFromTheSecret()
    {
        var config = await Manifests.SingleAsync(Manifests.BlackboxExporter, "ConfigMap");
        ((string)config["data"]!["blackbox.yml"]!).Should().Be(File.ReadAllText(Exporter.BlackboxModulesPath));
        ((string)config["data"]!["blackbox.yml"]!).Should().Contain(Exporter.TokenPlaceholder).And.NotContain("eyJ", "no token in a ConfigMap");

        var pod = (await Manifests.SingleAsync(Manifests.BlackboxExporter, "Deployment"))["spec"]!["template"]!["spec"]!;
        var volumes = pod["volumes"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => v!.AsObject());
        ((string)volumes["token"]["secret"]!["secretName"]!).Should().Be("monitoredservice-blackbox-token");
        ((string)volumes["config"]["configMap"]!["name"]!).Should().Be((string)config["metadata"]!["name"]!);
        var command = string.Join(' ', pod["containers"]![0]!["command"]!.AsArray().Select(c => (string)c!));
        command.Should().Contain($"s|{Exporter.TokenPlaceholder}|$$(cat /etc/blackbox/token/token)|g")
            .And.Contain("/etc/blackbox/config/blackbox.yml > /tmp/blackbox.yml")
            .And.Contain("--config.file=/tmp/blackbox.yml");
    }

    [Fact]
    public async Task TheBlackboxServiceMonitorProbesTheServiceWithBothModules()
    {
        var monitor = await Manifests.SingleAsync(Manifests.BlackboxExporter, "ServiceMonitor");
        var endpoints = monitor["spec"]!["endpoints"]!.AsArray().Select(e => e!.AsObject()).ToArray();
        var modules = Modules();

        endpoints.Should().HaveCount(2);
        foreach (var endpoint in endpoints)
        {
            ((string)endpoint["path"]!).Should().Be("/probe");
            var module = (string)endpoint["params"]!["module"]![0]!;
            modules.Should().Contain(module);
            var target = (string)endpoint["params"]!["target"]![0]!;
            target.Should().Contain("monitoredservice:8080", "the Service's name and API port, as a client reaches it");
            var relabelings = endpoint["relabelings"]!.AsArray();
            relabelings.Should().Contain(r => (string)r!["targetLabel"]! == "instance" && (string)r["sourceLabels"]![0]! == "__param_target");
            relabelings.Should().Contain(r => (string)r!["targetLabel"]! == "module" && module.EndsWith("_" + (string)r["replacement"]!));
        }
    }

    /// <summary>The module names of the shipped blackbox.yml.</summary>
    private static string[] Modules()
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Exporter.BlackboxModulesPath)));
        var modules = (YamlDotNet.RepresentationModel.YamlMappingNode)((YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode)["modules"];
        return modules.Children.Keys.Select(key => key.ToString()).ToArray();
    }
}
