using System.Text.Json.Nodes;

namespace MonitoredService.Artifacts.Tests.Deploy;

/// <summary>
/// deploy/k8s/addons: postgres_exporter, the blackbox exporter, Fluent Bit and the log store's setup Job as the cluster runs them (rendered
/// by <c>kubectl kustomize</c>; the schemas are checked in <see cref="KubernetesManifestTests"/>):
/// restricted pods, credentials and the probe's token from Secrets only, ports open to the
/// monitoring namespace only, and ServiceMonitors that produce the jobs and labels the alerts select.
/// </summary>
public sealed class AddOnManifestTests
{
#if (WithPostgres)
    public static TheoryData<string> AddOns => new(Manifests.PostgresExporter, Manifests.BlackboxExporter);
#else
    public static TheoryData<string> AddOns => new(Manifests.BlackboxExporter);
#endif

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

#if (WithPostgres)
    [Fact]
    public async Task PostgresExporterTakesTheServerAndItsLoginFromTheSecret()
    {
        var container = (await Manifests.SingleAsync(Manifests.PostgresExporter, "Deployment"))["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var env = container["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!.AsObject());

        env.Keys.Should().BeEquivalentTo(["DATA_SOURCE_URI", "DATA_SOURCE_USER", "DATA_SOURCE_PASS"]);
        env.Values.Should().OnlyContain(e => (string)e["valueFrom"]!["secretKeyRef"]!["name"]! == "monitoredservice-postgres-exporter" && !e.ContainsKey("value"));
        (await Manifests.OfAsync(Manifests.PostgresExporter)).Select(Manifests.Kind).Should().NotContain("Secret", "the operator creates it (README)");
    }
#endif

    [Fact]
#if (WithAuth)
    public async Task BlackboxRunsTheShippedModulesWithTheTokenFromTheSecret()
#else
    public async Task BlackboxRunsTheShippedModules()
#endif
    {
        var config = await Manifests.SingleAsync(Manifests.BlackboxExporter, "ConfigMap");
        ((string)config["data"]!["blackbox.yml"]!).Should().Be(File.ReadAllText(Exporter.BlackboxModulesPath));
#if (WithAuth)
        ((string)config["data"]!["blackbox.yml"]!).Should().Contain(Exporter.TokenPlaceholder).And.NotContain("eyJ", "no token in a ConfigMap");
#else
        ((string)config["data"]!["blackbox.yml"]!).Should().NotContain(Exporter.TokenPlaceholder).And.NotContain("Authorization", "the API takes no token");
#endif

        var pod = (await Manifests.SingleAsync(Manifests.BlackboxExporter, "Deployment"))["spec"]!["template"]!["spec"]!;
        var volumes = pod["volumes"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => v!.AsObject());
        ((string)volumes["config"]["configMap"]!["name"]!).Should().Be((string)config["metadata"]!["name"]!);
#if (WithAuth)
        ((string)volumes["token"]["secret"]!["secretName"]!).Should().Be("monitoredservice-blackbox-token");
        var command = string.Join(' ', pod["containers"]![0]!["command"]!.AsArray().Select(c => (string)c!));
        command.Should().Contain($"s|{Exporter.TokenPlaceholder}|$$(cat /etc/blackbox/token/token)|g")
            .And.Contain("/etc/blackbox/config/blackbox.yml > /tmp/blackbox.yml")
            .And.Contain("--config.file=/tmp/blackbox.yml");
#else
        volumes.Keys.Should().NotContain("token");
        pod["containers"]![0]!["command"].Should().BeNull("the image's entrypoint is the exporter");
        pod["containers"]![0]!["args"]!.AsArray().Select(a => (string)a!).Should().Contain("--config.file=/etc/blackbox/config/blackbox.yml");
#endif
    }

    [Fact]
    public async Task TheBlackboxServiceMonitorProbesTheServiceWithEveryModule()
    {
        var monitor = await Manifests.SingleAsync(Manifests.BlackboxExporter, "ServiceMonitor");
        var endpoints = monitor["spec"]!["endpoints"]!.AsArray().Select(e => e!.AsObject()).ToArray();
        var modules = Modules();

        endpoints.Should().HaveCount(modules.Length, "one endpoint per shipped module");
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

    [Fact]
    public async Task FluentBitRunsOnEveryNodeWithItsConfigurationAndReadOnlyRights()
    {
        var objects = await Manifests.OfAsync(Manifests.FluentBit);
        var daemonSet = await Manifests.SingleAsync(Manifests.FluentBit, "DaemonSet");
        var pod = daemonSet["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]!.AsArray().Single()!;
        var config = await Manifests.SingleAsync(Manifests.FluentBit, "ConfigMap");

        objects.Select(Manifests.Kind).Should().BeEquivalentTo(
            ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet", "Service", "ServiceMonitor", "NetworkPolicy"]);
        foreach (var file in new[] { "fluent-bit.conf", "parsers.conf" })
        {
            ((string)config["data"]![file]!).Should().Be(File.ReadAllText(Repository.Path(Manifests.FluentBit, file)), "the ConfigMap is generated from the files");
        }

        var mounts = container["volumeMounts"]!.AsArray().ToDictionary(m => (string)m!["name"]!, m => m!);
        var volumes = pod["volumes"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => v!);
        var configPath = container["args"]!.AsArray().Select(a => (string)a!).Single(a => a.StartsWith("--config=", StringComparison.Ordinal))["--config=".Length..];
        var configVolume = volumes.Single(v => v.Value["configMap"] is not null);
        ((string)configVolume.Value["configMap"]!["name"]!).Should().Be((string)config["metadata"]!["name"]!);
        ((string)mounts[configVolume.Key]["mountPath"]!).TrimEnd('/').Should().Be(Path.GetDirectoryName(configPath), "parsers.conf lies beside the configuration");

        // What the configuration reads and writes is mounted: the logs read-only, the state from the node.
        var text = File.ReadAllText(Repository.Path(Manifests.FluentBit, "fluent-bit.conf"));
        ((string)volumes["varlog"]["hostPath"]!["path"]!).Should().Be("/var/log");
        ((bool)mounts["varlog"]["readOnly"]!).Should().BeTrue();
        var state = (string)mounts["state"]["mountPath"]!;
        System.Text.RegularExpressions.Regex.Matches(text, @"^\s*(?:DB|storage\.path)\s+(\S+)", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Should().HaveCount(2).And.OnlyContain(path => path.StartsWith(state + "/", StringComparison.Ordinal),
                "tail positions and buffered chunks survive the pod");
        ((string)volumes["state"]["hostPath"]!["path"]!).Should().Be(state);

        // Every variable of the configuration is set, the password from the Secret.
        var env = container["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!);
        System.Text.RegularExpressions.Regex.Matches(text, @"\$\{(\w+)\}").Select(m => m.Groups[1].Value).Distinct().Should().OnlyContain(name => env.ContainsKey(name));
        ((string)env["ELASTICSEARCH_PASSWORD"]["valueFrom"]!["secretKeyRef"]!["name"]!).Should().Be("monitoredservice-fluent-bit-elasticsearch");

        var security = container["securityContext"]!;
        ((bool)security["readOnlyRootFilesystem"]!).Should().BeTrue();
        ((bool)security["allowPrivilegeEscalation"]!).Should().BeFalse();
        security["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!).Should().Equal("ALL");
        container["resources"]!["limits"]!["memory"].Should().NotBeNull();
        container["resources"]!["limits"]!["cpu"].Should().NotBeNull();
        var compose = File.ReadAllText(Repository.Path("deploy", "compose", "compose.yaml"));
        compose.Should().Contain($"image: {(string)container["image"]!}\n", "one Fluent Bit version to know");
    }

    [Fact]
    public async Task FluentBitMayOnlyReadPodsAndNamespaces()
    {
        var role = await Manifests.SingleAsync(Manifests.FluentBit, "ClusterRole");
        var binding = await Manifests.SingleAsync(Manifests.FluentBit, "ClusterRoleBinding");
        var account = await Manifests.SingleAsync(Manifests.FluentBit, "ServiceAccount");
        var daemonSet = await Manifests.SingleAsync(Manifests.FluentBit, "DaemonSet");

        var rule = role["rules"]!.AsArray().Should().ContainSingle().Subject!;
        rule["apiGroups"]!.AsArray().Select(g => (string)g!).Should().Equal("");
        rule["resources"]!.AsArray().Select(r => (string)r!).Should().BeEquivalentTo(["pods", "namespaces"]);
        rule["verbs"]!.AsArray().Select(v => (string)v!).Should().BeEquivalentTo(["get", "list", "watch"]);
        ((string)binding["roleRef"]!["name"]!).Should().Be((string)role["metadata"]!["name"]!);
        var subject = binding["subjects"]!.AsArray().Should().ContainSingle().Subject!;
        ((string)subject["name"]!).Should().Be((string)account["metadata"]!["name"]!).And.Be((string)daemonSet["spec"]!["template"]!["spec"]!["serviceAccountName"]!);
        ((string)subject["namespace"]!).Should().Be((string)account["metadata"]!["namespace"]!, "the binding names the account where it is");
    }

    [Fact]
    public async Task FluentBitsMetricsAreScrapedAsJobFluentBit()
    {
        var service = await Manifests.SingleAsync(Manifests.FluentBit, "Service");
        var monitor = await Manifests.SingleAsync(Manifests.FluentBit, "ServiceMonitor");
        var daemonSet = await Manifests.SingleAsync(Manifests.FluentBit, "DaemonSet");
        var port = daemonSet["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray().Single()!;
        var text = File.ReadAllText(Repository.Path(Manifests.FluentBit, "fluent-bit.conf"));

        ((long)port["containerPort"]!).Should().Be(2020);
        text.Should().MatchRegex(@"HTTP_Port\s+2020");
        ((string)service["spec"]!["ports"]![0]!["targetPort"]!).Should().Be((string)port["name"]!);
        ((string)service["spec"]!["selector"]!["app.kubernetes.io/name"]!).Should().Be((string)daemonSet["spec"]!["template"]!["metadata"]!["labels"]!["app.kubernetes.io/name"]!);
        var endpoint = monitor["spec"]!["endpoints"]![0]!;
        ((string)endpoint["path"]!).Should().Be("/api/v2/metrics/prometheus", "the storage figures the buffer alert reads are only there");
        ((string)service["metadata"]!["labels"]![(string)monitor["spec"]!["jobLabel"]!]!).Should().Be("fluent-bit", "the job the Fluent Bit alerts select");
    }

    [Fact]
    public async Task TheLogStoreSetupJobRunsRestrictedWithItsFilesAndTheSecret()
    {
        var job = await Manifests.SingleAsync(Manifests.ElasticsearchSetup, "Job");
        var config = await Manifests.SingleAsync(Manifests.ElasticsearchSetup, "ConfigMap");
        var pod = job["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;

        var savedObjects = Manifests.KibanaSavedObjectFiles().Select(path => Path.GetFileName(path));
        foreach (var file in new[] { "setup.sh", "ilm-policy.json", "index-template.json" }.Concat(savedObjects))
        {
            ((string)config["data"]![file]!).Should().Be(File.ReadAllText(Repository.Path(Manifests.ElasticsearchSetup, file)));
        }

        ((bool)pod["securityContext"]!["runAsNonRoot"]!).Should().BeTrue();
        ((bool)pod["automountServiceAccountToken"]!).Should().BeFalse();
        ((string)pod["restartPolicy"]!).Should().Be("Never");
        ((bool)container["securityContext"]!["readOnlyRootFilesystem"]!).Should().BeTrue();
        container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!).Should().Equal("ALL");
        var env = container["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!);
        ((string)env["ELASTICSEARCH_PASSWORD"]["valueFrom"]!["secretKeyRef"]!["name"]!).Should().Be("monitoredservice-elasticsearch-setup");
        env["ELASTICSEARCH_PASSWORD"].AsObject().ContainsKey("value").Should().BeFalse();
        ((long)job["spec"]!["activeDeadlineSeconds"]!).Should().BeGreaterThan(300, "longer than the script waits for a server");
    }
}
