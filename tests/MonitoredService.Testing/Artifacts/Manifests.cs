using System.Globalization;
using System.Text.Json.Nodes;
using NJsonSchema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MonitoredService.Testing.Artifacts;

/// <summary>
/// The Kubernetes manifests as <c>kubectl kustomize</c> renders them (offline), as JSON objects, and
/// the JSON schema each kind is validated against (../shared/schemas: Kubernetes 1.32 and
/// monitoring.coreos.com; tests/schemas for the kinds the shared set lacks).
/// </summary>
public static class Manifests
{
    public const string Base = "deploy/k8s/base";
#if (WithPostgres)
    public const string Sqlite = "deploy/k8s/overlays/sqlite";
    public const string PostgresExporter = "deploy/k8s/addons/postgres-exporter";
#elif (SqliteOnly)
    /// <summary>Without PostgreSQL the base itself runs one replica on SQLite.</summary>
    public const string Sqlite = Base;
#endif
    public const string BlackboxExporter = "deploy/k8s/addons/blackbox-exporter";
    public const string FluentBit = "deploy/k8s/addons/fluent-bit";
    public const string ElasticsearchSetup = "deploy/k8s/addons/elasticsearch-setup";
    public const string Operator = "deploy/k8s/operator";

    /// <summary>
    /// Kibana's saved objects: every <c>kibana-saved-objects*.ndjson</c> of the log store's setup, which
    /// imports them all (an option of the template drops one), as paths.
    /// </summary>
    public static string[] KibanaSavedObjectFiles() =>
        [.. Directory.GetFiles(Repository.Path(ElasticsearchSetup), "kibana-saved-objects*.ndjson").Order(StringComparer.Ordinal)];

    /// <summary>Every kustomization of deploy/k8s.</summary>
#if (WithPostgres)
    public static readonly string[] All = [Base, Sqlite, PostgresExporter, BlackboxExporter, FluentBit, ElasticsearchSetup, Operator];
#else
    public static readonly string[] All = [Base, BlackboxExporter, FluentBit, ElasticsearchSetup, Operator];
#endif

    /// <summary>The kinds whose schema is the project's own (tests/schemas), not the shared set's.</summary>
    private static readonly Dictionary<(string ApiVersion, string Kind), string[]> ProjectSchemaFiles = new()
    {
        [("apps/v1", "DaemonSet")] = ["kubernetes", "v1.32.2-standalone-strict", "daemonset-apps-v1.json"],
        [("rbac.authorization.k8s.io/v1", "ClusterRole")] = ["kubernetes", "v1.32.2-standalone-strict", "clusterrole-rbac-v1.json"],
        [("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")] = ["kubernetes", "v1.32.2-standalone-strict", "clusterrolebinding-rbac-v1.json"],
        [("batch/v1", "Job")] = ["kubernetes", "v1.32.2-standalone-strict", "job-batch-v1.json"],
        [("v1", "PersistentVolumeClaim")] = ["kubernetes", "v1.32.2-standalone-strict", "persistentvolumeclaim-v1.json"],
        [("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig")] = ["monitoring.coreos.com", "alertmanagerconfig_v1alpha1.json"],
    };

    private static readonly Dictionary<(string ApiVersion, string Kind), string[]> SchemaFiles = new()
    {
        [("v1", "ServiceAccount")] = ["kubernetes", "v1.32.2-standalone-strict", "serviceaccount-v1.json"],
        [("v1", "ConfigMap")] = ["kubernetes", "v1.32.2-standalone-strict", "configmap-v1.json"],
        [("v1", "Service")] = ["kubernetes", "v1.32.2-standalone-strict", "service-v1.json"],
        [("apps/v1", "Deployment")] = ["kubernetes", "v1.32.2-standalone-strict", "deployment-apps-v1.json"],
        [("autoscaling/v2", "HorizontalPodAutoscaler")] = ["kubernetes", "v1.32.2-standalone-strict", "horizontalpodautoscaler-autoscaling-v2.json"],
        [("policy/v1", "PodDisruptionBudget")] = ["kubernetes", "v1.32.2-standalone-strict", "poddisruptionbudget-policy-v1.json"],
        [("networking.k8s.io/v1", "NetworkPolicy")] = ["kubernetes", "v1.32.2-standalone-strict", "networkpolicy-networking-v1.json"],
        [("monitoring.coreos.com/v1", "ServiceMonitor")] = ["monitoring.coreos.com", "servicemonitor_v1.json"],
        [("monitoring.coreos.com/v1", "PrometheusRule")] = ["monitoring.coreos.com", "prometheusrule_v1.json"],
    };

    private static readonly Dictionary<string, Lazy<Task<IReadOnlyList<JsonObject>>>> Renders =
        All.ToDictionary(kustomization => kustomization, kustomization => new Lazy<Task<IReadOnlyList<JsonObject>>>(() => RenderAsync(kustomization)));

    private static readonly Dictionary<(string ApiVersion, string Kind), Lazy<Task<JsonSchema>>> Schemas =
        SchemaFiles.Select(pair => KeyValuePair.Create(pair.Key, Repository.Schema(pair.Value)))
            .Concat(ProjectSchemaFiles.Select(pair => KeyValuePair.Create(pair.Key, Repository.ProjectSchema(pair.Value))))
            .ToDictionary(pair => pair.Key, pair => new Lazy<Task<JsonSchema>>(() => JsonSchema.FromFileAsync(pair.Value)));

    /// <summary>The rendered objects of a kustomization (rendered once per test run).</summary>
    public static Task<IReadOnlyList<JsonObject>> OfAsync(string kustomization) => Renders[kustomization].Value;

    public static async Task<JsonObject> SingleAsync(string kustomization, string kind) =>
        (await OfAsync(kustomization)).Should().ContainSingle(o => Kind(o) == kind, $"{kustomization} should render one {kind}").Subject;

    public static string Kind(JsonNode manifest) => (string)manifest["kind"]!;

    /// <summary>The schema of this object's apiVersion and kind, or null if there is none.</summary>
    public static async Task<JsonSchema?> SchemaOfAsync(JsonObject manifest)
    {
        var key = ((string)manifest["apiVersion"]!, Kind(manifest));
        return Schemas.TryGetValue(key, out var schema) ? await schema.Value : null;
    }

    /// <summary>Runs <c>kubectl kustomize</c>; the test command needs kubectl (present on this machine).</summary>
    private static async Task<IReadOnlyList<JsonObject>> RenderAsync(string kustomization)
    {
        var result = await Tools.RunAsync("kubectl", ["kustomize", Repository.Path(kustomization)]);
        result.ExitCode.Should().Be(0, result.Error);
        var stream = new YamlStream();
        stream.Load(new StringReader(result.Output));
        return stream.Documents.Select(document => (JsonObject)ToJson(document.RootNode)!).ToArray();
    }

    /// <summary>YAML to JSON with YAML 1.2's core types for plain scalars; quoted scalars stay strings.</summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair =>
            KeyValuePair.Create(((YamlScalarNode)pair.Key).Value!, ToJson(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new NotSupportedException(node.NodeType.ToString()),
    };

    private static JsonNode? Plain(string value) => value switch
    {
        "" or "~" or "null" => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => JsonValue.Create(integer),
        _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && value.Any(char.IsAsciiDigit) => JsonValue.Create(number),
        _ => JsonValue.Create(value),
    };
}
