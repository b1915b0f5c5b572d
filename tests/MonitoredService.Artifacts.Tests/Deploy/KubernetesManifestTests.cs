using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace MonitoredService.Artifacts.Tests.Deploy;

/// <summary>
/// deploy/k8s rendered by <c>kubectl kustomize</c> (no cluster here): every object valid against the
/// Kubernetes 1.32 and Prometheus Operator schemas, and the facts an operator relies on (restricted
/// Pod Security, probe and shutdown arithmetic, secrets from Secrets, one scrape job, the rules).
/// </summary>
public sealed class KubernetesManifestTests
{
#if (WithPostgres)
    public static TheoryData<string> Kustomizations => new(Manifests.Base, Manifests.Sqlite);
#else
    public static TheoryData<string> Kustomizations => new(Manifests.Base);
#endif

    public static TheoryData<string> Everything => new(Manifests.All);

    [Theory]
    [MemberData(nameof(Everything))]
    public async Task EveryRenderedObjectIsValidAgainstItsSchema(string kustomization)
    {
        var objects = await Manifests.OfAsync(kustomization);

        objects.Should().NotBeEmpty();
        foreach (var manifest in objects)
        {
            var schema = await Manifests.SchemaOfAsync(manifest);
            schema.Should().NotBeNull($"every kind has a schema ({Manifests.Kind(manifest)}: ../shared/schemas or tests/schemas)");
            schema!.Validate(manifest.ToJsonString()).Select(error => $"{Manifests.Kind(manifest)}: {error}").Should().BeEmpty();
        }
    }

    [Fact]
    public async Task TheSchemaValidationCatchesAMisspeltField()
    {
        var deployment = (await Manifests.SingleAsync(Manifests.Base, "Deployment")).DeepClone().AsObject();
        var container = Container(deployment);
        container["livenesProbe"] = container["livenessProbe"]!.DeepClone();
        container["ports"]![0]!["containerPort"] = "8080";

        var errors = (await Manifests.SchemaOfAsync(deployment))!.Validate(deployment.ToJsonString());

        errors.Select(error => error.ToString()).Should().Contain(error => error.Contains("livenesProbe"))
            .And.Contain(error => error.Contains("containerPort"));
    }

    [Fact]
    public async Task TheBaseRendersEveryPieceOfTheDeployment()
    {
        var kinds = (await Manifests.OfAsync(Manifests.Base)).Select(Manifests.Kind);

        kinds.Should().BeEquivalentTo(
#if (!SqliteOnly)
            ["ServiceAccount", "ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"],
#else
            ["ServiceAccount", "ConfigMap", "Deployment", "Service", "PersistentVolumeClaim", "NetworkPolicy"],
#endif
            "the base needs no CRD: the Prometheus operator's objects are deploy/k8s/operator");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task PodsMeetTheRestrictedPodSecurityStandard(string kustomization)
    {
        var deployment = await Manifests.SingleAsync(kustomization, "Deployment");
        var pod = PodSpec(deployment);
        var container = Container(deployment);

        ((bool)pod["securityContext"]!["runAsNonRoot"]!).Should().BeTrue();
        ((long)pod["securityContext"]!["runAsUser"]!).Should().BeGreaterThanOrEqualTo(10000);
        ((long)pod["securityContext"]!["runAsGroup"]!).Should().BeGreaterThanOrEqualTo(10000);
        ((string)pod["securityContext"]!["seccompProfile"]!["type"]!).Should().Be("RuntimeDefault");
        ((bool)pod["automountServiceAccountToken"]!).Should().BeFalse();
        pod.ContainsKey("hostNetwork").Should().BeFalse();
        pod.ContainsKey("hostPID").Should().BeFalse();
        var security = container["securityContext"]!;
        ((bool)security["allowPrivilegeEscalation"]!).Should().BeFalse();
        ((bool)security["privileged"]!).Should().BeFalse();
        ((bool)security["readOnlyRootFilesystem"]!).Should().BeTrue();
        security["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!).Should().Equal("ALL");
        security["capabilities"]!.AsObject().ContainsKey("add").Should().BeFalse();
        var serviceAccount = await Manifests.SingleAsync(kustomization, "ServiceAccount");
        ((bool)serviceAccount["automountServiceAccountToken"]!).Should().BeFalse();
        ((string)pod["serviceAccountName"]!).Should().Be((string)serviceAccount["metadata"]!["name"]!);
    }

    [Theory]
#if (!SqliteOnly)
    [InlineData(Manifests.Base, new[] { "/tmp" })]
#endif
#if (SampleApi)
    [InlineData(Manifests.Sqlite, new[] { "/app/data", "/tmp" })]
#endif
    public async Task TheOnlyWritablePathsAreTmpAndTheDataVolume(string kustomization, string[] writable)
    {
        var deployment = await Manifests.SingleAsync(kustomization, "Deployment");
        var volumes = PodSpec(deployment)["volumes"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => v!.AsObject());

        var mounts = Container(deployment)["volumeMounts"]!.AsArray();

        mounts.Select(m => (string)m!["mountPath"]!).Order().Should().Equal(writable);
        volumes.Values.Should().OnlyContain(v => v.ContainsKey("emptyDir") || v.ContainsKey("persistentVolumeClaim"), "no hostPath, no secret files");
        ((string)volumes["tmp"]["emptyDir"]!["sizeLimit"]!).Should().NotBeNullOrEmpty("a bounded /tmp");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task ProbesAskTheRightEndpointsWithinTheirTimeouts(string kustomization)
    {
        var deployment = await Manifests.SingleAsync(kustomization, "Deployment");
        var container = Container(deployment);
        var config = await ConfigAsync(kustomization);
        var checkTimeout = TimeSpan.Parse(config["Observability__Health__Timeout"], CultureInfo.InvariantCulture);

        Probe(container, "startupProbe").Path.Should().Be("/health/startup");
        Probe(container, "readinessProbe").Path.Should().Be("/health/ready");
        Probe(container, "livenessProbe").Path.Should().Be("/health/live");
        foreach (var name in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            var probe = Probe(container, name);
            probe.Port.Should().Be("http", "probes ask the application port, not the metrics port");
            TimeSpan.FromSeconds(probe.TimeoutSeconds).Should().BeGreaterThan(checkTimeout,
                $"{name}: a hung dependency must answer 503 within the check's timeout, before the probe times out");
        }

        var startup = Probe(container, "startupProbe");
        (startup.PeriodSeconds * startup.FailureThreshold).Should().BeGreaterThanOrEqualTo(60, "the start-up budget covers a database that is still starting");
        var liveness = Probe(container, "livenessProbe");
        (liveness.PeriodSeconds * liveness.FailureThreshold).Should().BeGreaterThanOrEqualTo(30, "a restart only after 30 s without an answer");
        Probe(container, "readinessProbe").FailureThreshold.Should().BeLessThan(liveness.FailureThreshold);
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task TheGracePeriodCoversTheDrainTheShutdownAndTheFlush(string kustomization)
    {
        var deployment = await Manifests.SingleAsync(kustomization, "Deployment");
        var config = await ConfigAsync(kustomization);
        var drain = TimeSpan.Parse(config["Observability__Shutdown__DrainDelay"], CultureInfo.InvariantCulture);
        var shutdown = TimeSpan.Parse(config["Observability__Shutdown__Timeout"], CultureInfo.InvariantCulture);
        var traceFlush = TimeSpan.FromSeconds(5); // the tracer provider's bound (TracingTests: a hung collector)

        var grace = TimeSpan.FromSeconds((long)PodSpec(deployment)["terminationGracePeriodSeconds"]!);

        drain.Should().BePositive("the endpoints need time to drop the pod while it still serves");
        grace.Should().BeGreaterThanOrEqualTo(drain + shutdown + traceFlush);
        PodSpec(deployment)["containers"]![0]!.AsObject().ContainsKey("lifecycle").Should().BeFalse("the drain is in the service: no preStop");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task EveryConfigMapKeyIsADocumentedSetting(string kustomization)
    {
        var config = await ConfigAsync(kustomization);
        var readme = File.ReadAllText(Repository.Path("README.md"));

        config.Keys.Should().OnlyContain(key => readme.Contains($"`{key.Replace("__", ":", StringComparison.Ordinal)}`"),
            "a misspelt key would be silently ignored by the service");
    }

#if (WithPostgres)
    [Fact]
    public async Task ThePostgreSqlConnectionStringComesFromASecretOnly()
    {
        var deployment = await Manifests.SingleAsync(Manifests.Base, "Deployment");
        var config = await ConfigAsync(Manifests.Base);

        var connection = Env(Container(deployment)).Should().ContainKey("ConnectionStrings__Items").WhoseValue;

        connection.AsObject().ContainsKey("value").Should().BeFalse("never a literal in the manifest");
        ((string)connection["valueFrom"]!["secretKeyRef"]!["name"]!).Should().Be("monitoredservice-store");
        config["Store__Provider"].Should().Be("PostgreSql");
        config.Should().NotContainKey("ConnectionStrings__Items");
        (await Manifests.OfAsync(Manifests.Base)).Select(Manifests.Kind).Should().NotContain("Secret", "the Secret is created by the operator, never committed");
        foreach (var manifest in await Manifests.OfAsync(Manifests.Base))
        {
            manifest.ToJsonString().Should().NotContainEquivalentOf("password=");
        }
    }
#endif

    [Fact]
    public async Task SpansCarryThePodFromTheDownwardApi()
    {
        var env = Container(await Manifests.SingleAsync(Manifests.Base, "Deployment"))["env"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var attributes = env.Single(e => (string)e["name"]! == "OTEL_RESOURCE_ATTRIBUTES");
        var position = env.IndexOf(attributes);

        var value = (string)attributes["value"]!;
        foreach (var (attribute, variable, field) in new[]
                 {
                     ("k8s.pod.name", "POD_NAME", "metadata.name"), ("k8s.namespace.name", "POD_NAMESPACE", "metadata.namespace"),
                     ("k8s.pod.uid", "POD_UID", "metadata.uid"), ("k8s.node.name", "NODE_NAME", "spec.nodeName"),
                 })
        {
            value.Should().Contain($"{attribute}=$({variable})");
            var source = env.Single(e => (string)e["name"]! == variable);
            ((string)source["valueFrom"]!["fieldRef"]!["fieldPath"]!).Should().Be(field);
            env.IndexOf(source).Should().BeLessThan(position, "$(VAR) only expands variables defined before it");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task PrometheusScrapesTheMetricsPortUnderTheServicesJobName(string kustomization)
    {
        var deployment = await Manifests.SingleAsync(kustomization, "Deployment");
        var service = await Manifests.SingleAsync(kustomization, "Service");
        var monitor = await Manifests.SingleAsync(Manifests.Operator, "ServiceMonitor");
        var config = await ConfigAsync(kustomization);
        var containerPorts = Container(deployment)["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (long)p!["containerPort"]!);
        var servicePorts = service["spec"]!["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (string)p!["targetPort"]!);

        containerPorts.Should().BeEquivalentTo(new Dictionary<string, long> { ["http"] = 8080, ["metrics"] = 9090 });
        long.Parse(config["Observability__Metrics__Port"], CultureInfo.InvariantCulture).Should().Be(containerPorts["metrics"]);
        servicePorts.Should().BeEquivalentTo(new Dictionary<string, string> { ["http"] = "http", ["metrics"] = "metrics" });
        Labels(service["spec"]!["selector"]).Should().BeEquivalentTo(Labels(deployment["spec"]!["template"]!["metadata"]!["labels"]).Where(l => l.Key == "app.kubernetes.io/name"));
        Labels(monitor["spec"]!["selector"]!["matchLabels"]).Should().BeSubsetOf(Labels(service["metadata"]!["labels"]));
        var endpoint = monitor["spec"]!["endpoints"]!.AsArray().Should().ContainSingle().Subject!;
        ((string)endpoint["port"]!).Should().Be("metrics");
        ((string)endpoint["path"]!).Should().Be("/metrics");
        var jobLabel = (string)monitor["spec"]!["jobLabel"]!;
        Labels(service["metadata"]!["labels"])[jobLabel].Should().Be("monitoredservice", "rules and dashboards select job=\"monitoredservice\"");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task OnlyTheMonitoringNamespaceReachesTheMetricsPort(string kustomization)
    {
        var policy = await Manifests.SingleAsync(kustomization, "NetworkPolicy");
        var deployment = await Manifests.SingleAsync(kustomization, "Deployment");
        var rules = policy["spec"]!["ingress"]!.AsArray().Select(r => r!.AsObject()).ToArray();

        Labels(policy["spec"]!["podSelector"]!["matchLabels"]).Should().BeSubsetOf(Labels(deployment["spec"]!["template"]!["metadata"]!["labels"]));
        policy["spec"]!["policyTypes"]!.AsArray().Select(t => (string)t!).Should().Contain("Ingress");
        var metrics = rules.Should().ContainSingle(r => r["ports"]!.AsArray().Any(p => (string)p!["port"]! == "metrics")).Subject;
        Labels(metrics["from"]!.AsArray().Should().ContainSingle().Subject!["namespaceSelector"]!["matchLabels"])
            .Should().BeEquivalentTo(new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "monitoring" });
        var http = rules.Should().ContainSingle(r => r["ports"]!.AsArray().Any(p => (string)p!["port"]! == "http")).Subject;
        http.ContainsKey("from").Should().BeFalse("the API is open to the cluster");
    }

#if (!SqliteOnly)
    [Fact]
    public async Task TheAutoscalerOwnsTheReplicaCountAndDisruptionsTakeOnePodAtATime()
    {
        var deployment = await Manifests.SingleAsync(Manifests.Base, "Deployment");
        var autoscaler = await Manifests.SingleAsync(Manifests.Base, "HorizontalPodAutoscaler");
        var budget = await Manifests.SingleAsync(Manifests.Base, "PodDisruptionBudget");

        deployment["spec"]!.AsObject().ContainsKey("replicas").Should().BeFalse("an apply would reset what the autoscaler chose");
        ((string)autoscaler["spec"]!["scaleTargetRef"]!["kind"]!).Should().Be("Deployment");
        ((string)autoscaler["spec"]!["scaleTargetRef"]!["name"]!).Should().Be((string)deployment["metadata"]!["name"]!);
        ((long)autoscaler["spec"]!["minReplicas"]!).Should().BeGreaterThanOrEqualTo(2, "one replica is no availability");
        ((long)budget["spec"]!["maxUnavailable"]!).Should().Be(1);
        Labels(budget["spec"]!["selector"]!["matchLabels"]).Should().BeSubsetOf(Labels(deployment["spec"]!["template"]!["metadata"]!["labels"]));
        ((long)deployment["spec"]!["strategy"]!["rollingUpdate"]!["maxUnavailable"]!).Should().Be(0);
        PodSpec(deployment)["topologySpreadConstraints"]!.AsArray().Select(c => (string)c!["topologyKey"]!)
            .Should().BeEquivalentTo(["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
    }
#endif

#if (SampleApi)
    [Fact]
    public async Task TheSqliteOverlayRunsOnePodOnAVolumeWithoutASecret()
    {
        var objects = await Manifests.OfAsync(Manifests.Sqlite);
        var deployment = await Manifests.SingleAsync(Manifests.Sqlite, "Deployment");
        var claim = await Manifests.SingleAsync(Manifests.Sqlite, "PersistentVolumeClaim");
        var config = await ConfigAsync(Manifests.Sqlite);

        objects.Select(Manifests.Kind).Should().NotContain(["HorizontalPodAutoscaler", "PodDisruptionBudget"]);
        ((long)deployment["spec"]!["replicas"]!).Should().Be(1);
        ((string)deployment["spec"]!["strategy"]!["type"]!).Should().Be("Recreate", "two pods must never open the SQLite file at once");
        deployment.ToJsonString().Should().NotContain("secretKeyRef");
        config["Store__Provider"].Should().Be("Sqlite");
        config["Store__Path"].Should().StartWith("/app/data/");
        claim["spec"]!["accessModes"]!.AsArray().Select(m => (string)m!).Should().Equal("ReadWriteOnce");
        ((string)claim["spec"]!["resources"]!["requests"]!["storage"]!).Should().NotBeNullOrEmpty();
        var volume = PodSpec(deployment)["volumes"]!.AsArray().Single(v => (string)v!["name"]! == "data")!;
        ((string)volume["persistentVolumeClaim"]!["claimName"]!).Should().Be((string)claim["metadata"]!["name"]!);
    }
#endif

    [Fact]
    public async Task TheImageTagIsTheProjectVersion()
    {
        var deployment = await Manifests.SingleAsync(Manifests.Base, "Deployment");
        var version = System.Xml.Linq.XDocument.Load(Repository.Path("Directory.Build.props")).Descendants("Version").Single().Value;

        ((string)Container(deployment)["image"]!).Should().EndWith($"/monitoredservice:{version}");
    }

    [Fact]
    public async Task ThePrometheusRuleIsTheRuleFile()
    {
        var rule = await Manifests.SingleAsync(Manifests.Operator, "PrometheusRule");
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(RuleFiles.RulesPath)));
        var source = Manifests.ToJson(stream.Documents[0].RootNode)!["groups"]!;

        JsonNode.DeepEquals(rule["spec"]!["groups"], source).Should().BeTrue("deploy/scripts/render-prometheusrule.sh writes the rule file into the manifest");
        var check = await Tools.RunAsync("bash", [Repository.Path("deploy", "scripts", "render-prometheusrule.sh"), "--check"]);
        check.ExitCode.Should().Be(0, check.All);
    }

    [Fact]
    public async Task TheRenderCheckFailsWhenTheRulesChange()
    {
        var copy = Directory.CreateTempSubdirectory("monitoredservice-render-");
        try
        {
            foreach (var path in new[] { "alerts/monitoredservice.rules.yml", "deploy/k8s/operator/prometheusrule.yaml", "deploy/scripts/render-prometheusrule.sh" })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy.FullName, path))!);
                File.Copy(Repository.Path(path), Path.Combine(copy.FullName, path));
            }

            var rules = Path.Combine(copy.FullName, "alerts", "monitoredservice.rules.yml");
            File.WriteAllText(rules, File.ReadAllText(rules).Replace("for: 5m", "for: 6m", StringComparison.Ordinal));

            var check = await Tools.RunAsync("bash", [Path.Combine(copy.FullName, "deploy", "scripts", "render-prometheusrule.sh"), "--check"]);

            check.ExitCode.Should().Be(1);
            check.Error.Should().Contain("out of date");
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static JsonObject PodSpec(JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!.AsObject();

    private static JsonObject Container(JsonObject deployment) =>
        PodSpec(deployment)["containers"]!.AsArray().Single(c => (string)c!["name"]! == "monitoredservice")!.AsObject();

    private static Dictionary<string, JsonObject> Env(JsonObject container) =>
        container["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!.AsObject());

    private static Dictionary<string, string> Labels(JsonNode? labels) =>
        labels!.AsObject().ToDictionary(l => l.Key, l => (string)l.Value!);

    private static async Task<Dictionary<string, string>> ConfigAsync(string kustomization)
    {
        var config = await Manifests.SingleAsync(kustomization, "ConfigMap");
        var deployment = await Manifests.SingleAsync(kustomization, "Deployment");
        var referenced = Container(deployment)["envFrom"]!.AsArray().Select(e => (string)e!["configMapRef"]!["name"]!);
        referenced.Should().Equal([(string)config["metadata"]!["name"]!], "the pods read the ConfigMap by its generated (hashed) name");
        return config["data"]!.AsObject().ToDictionary(pair => pair.Key, pair => (string)pair.Value!);
    }

    private static (string Path, string Port, long PeriodSeconds, long TimeoutSeconds, long FailureThreshold) Probe(JsonObject container, string name)
    {
        var probe = container[name]!;
        return ((string)probe["httpGet"]!["path"]!, (string)probe["httpGet"]!["port"]!, (long)probe["periodSeconds"]!,
            (long)probe["timeoutSeconds"]!, (long)probe["failureThreshold"]!);
    }
}
