using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MonitoredService.Artifacts.Tests.Deploy;

/// <summary>
/// The log store's setup (deploy/k8s/addons/elasticsearch-setup/setup.sh, run by the compose
/// service and the Job) with the machine's curl, against an in-process stand-in that speaks the
/// Elasticsearch and Kibana API contracts it uses (neither can be installed here): what it sends,
/// in what order, with the credentials off the command line; and the ILM policy and the template.
/// </summary>
public sealed class LogStoreSetupTests
{
    private const string Password = "s3cret-setup-password";

    private static string SetupFile(string name) => Repository.Path(Manifests.ElasticsearchSetup, name);

    [Fact]
    public async Task ItAppliesThePolicyAndTheTemplateRollsAnExistingStreamAndImportsTheSavedObjects()
    {
        await using var store = new FakeLogStore { DataStreamExists = true };

        var run = await SetupAsync(store, ("JAEGER_URL", "https://jaeger.example"));

        run.ExitCode.Should().Be(0, run.All);
        store.Requests.Select(r => $"{r.Method} {r.Path}").Should().Equal(
            "GET /_cluster/health",
            "PUT /_ilm/policy/monitoredservice-logs",
            "PUT /_index_template/logs-monitoredservice",
            "GET /_data_stream/logs-monitoredservice-default",
            "POST /logs-monitoredservice-default/_rollover",
            "GET /api/status",
            "POST /api/saved_objects/_import");
        JsonNode.DeepEquals(JsonNode.Parse(store.Body("/_ilm/policy/monitoredservice-logs")), JsonNode.Parse(File.ReadAllText(SetupFile("ilm-policy.json")))).Should().BeTrue();
        JsonNode.DeepEquals(JsonNode.Parse(store.Body("/_index_template/logs-monitoredservice")), JsonNode.Parse(File.ReadAllText(SetupFile("index-template.json")))).Should().BeTrue();
        var import = store.Requests.Single(r => r.Path == "/api/saved_objects/_import");
        import.Query.Should().Be("?overwrite=true", "a second run replaces the objects");
        import.Headers["kbn-xsrf"].Should().Be("true", "Kibana refuses an import without it");
        import.Body.Should().Contain("\"title\":\"logs-monitoredservice-*\"").And.Contain("https://jaeger.example/trace/{{value}}").And.NotContain("localhost:16686");
        var savedObjects = Manifests.KibanaSavedObjectFiles().SelectMany(File.ReadAllLines).ToArray();
        savedObjects.Should().HaveCountGreaterThan(1);
        foreach (var saved in savedObjects)
        {
            import.Body.Should().Contain($"\"id\":\"{(string)JsonNode.Parse(saved)!["id"]!}\"", "one import carries every file's objects");
        }

        import.Body.Split('\n').Count(line => line.StartsWith('{')).Should().Be(savedObjects.Length, "one object per line, files not run together");
        store.Requests.Should().OnlyContain(r => r.Headers["Authorization"] == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"monitoredservice-setup:{Password}")));
        run.All.Should().NotContain(Password);
        File.ReadAllText(SetupFile("setup.sh")).Should().NotContain(" -u ", "the credentials reach curl on its standard input, not its arguments");
    }

    [Fact]
    public async Task ANewStoreIsNotRolledOverAndWithoutKibanaNoObjectsAreImported()
    {
        await using var store = new FakeLogStore { DataStreamExists = false };

        var run = await SetupAsync(store, ("KIBANA_URL", ""));

        run.ExitCode.Should().Be(0, run.All);
        store.Requests.Select(r => r.Path).Should().NotContain(["/logs-monitoredservice-default/_rollover", "/api/saved_objects/_import"]);
    }

    [Fact]
    public async Task ARefusedStepFailsTheRunWithTheServersAnswer()
    {
        await using var store = new FakeLogStore { RefuseTemplate = true };

        var run = await SetupAsync(store);

        run.ExitCode.Should().NotBe(0);
        run.All.Should().Contain("illegal_argument_exception", "the answer says why");
        store.Requests.Select(r => r.Path).Should().NotContain("/api/saved_objects/_import", "nothing after a failed step");
    }

    [Fact]
    public async Task AStoreThatNeverAnswersFailsAfterTheTimeout()
    {
        var port = ServiceProcess.FreePort();

        var run = await Tools.RunAsync("sh", [SetupFile("setup.sh")], environment: new Dictionary<string, string>
        {
            ["ELASTICSEARCH_URL"] = $"http://127.0.0.1:{port}",
            ["SETUP_TIMEOUT_SECONDS"] = "2",
        });

        run.ExitCode.Should().Be(1);
        run.Error.Should().Contain("did not answer within 2s");
    }

    [Fact]
    public void ThePolicyDeletesAfterThirtyDaysAndTheTemplateTakesTheServicesDataStream()
    {
        var policy = JsonNode.Parse(File.ReadAllText(SetupFile("ilm-policy.json")))!["policy"]!["phases"]!;
        var template = JsonNode.Parse(File.ReadAllText(SetupFile("index-template.json")))!;
        var script = File.ReadAllText(SetupFile("setup.sh"));

        policy.AsObject().Select(p => p.Key).Should().Equal(["hot", "delete"]);
        ((string)policy["delete"]!["min_age"]!).Should().Be("30d");
        policy["hot"]!["actions"]!["rollover"].Should().NotBeNull("indices roll over, so that deletion frees space a day at a time");
        ((string)template["template"]!["settings"]!["index.lifecycle.name"]!).Should().Be("monitoredservice-logs");
        script.Should().Contain("_ilm/policy/monitoredservice-logs").And.Contain("_index_template/logs-monitoredservice");
        template["data_stream"].Should().NotBeNull();
        ((long)template["priority"]!).Should().BeGreaterThan(100, "above Elasticsearch's built-in logs-*-* template");
        var pattern = (string)template["index_patterns"]![0]!;
        System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, "logs-monitoredservice-default").Should().BeTrue();
        foreach (var config in new[] { Repository.Path(Manifests.FluentBit, "fluent-bit.conf"), Repository.Path("deploy", "compose", "fluent-bit", "fluent-bit.conf") })
        {
            File.ReadAllText(config).Should().MatchRegex(@"Index\s+logs-monitoredservice-default", "Fluent Bit writes the stream the template takes");
        }
    }

    private static Task<Tools.Result> SetupAsync(FakeLogStore store, params (string Name, string Value)[] overrides)
    {
        var environment = new Dictionary<string, string>
        {
            ["ELASTICSEARCH_URL"] = store.Address.ToString().TrimEnd('/'),
            ["KIBANA_URL"] = store.Address.ToString().TrimEnd('/'),
            ["ELASTICSEARCH_USER"] = "monitoredservice-setup",
            ["ELASTICSEARCH_PASSWORD"] = Password,
            ["SETUP_TIMEOUT_SECONDS"] = "10",
        };
        foreach (var (name, value) in overrides)
        {
            environment[name] = value;
        }

        return Tools.RunAsync("sh", [SetupFile("setup.sh")], environment: environment);
    }

    /// <summary>Elasticsearch's and Kibana's endpoints the setup calls, on one loopback port; every request recorded.</summary>
    private sealed class FakeLogStore : LoopbackServer
    {
        private readonly ConcurrentQueue<Recorded> _requests = new();

        public bool DataStreamExists { get; init; }

        public bool RefuseTemplate { get; init; }

        public IReadOnlyList<Recorded> Requests => _requests.ToArray();

        public string Body(string path) => Requests.Single(r => r.Path == path).Body;

        protected override void Map(WebApplication app) => app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var request = new Recorded(context.Request.Method, context.Request.Path.Value!, context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body);
            _requests.Enqueue(request);
            (context.Response.StatusCode, var answer) = (request.Method, request.Path) switch
            {
                ("PUT", "/_index_template/logs-monitoredservice") when RefuseTemplate =>
                    (400, new { error = new { type = "illegal_argument_exception", reason = "composable template [logs-monitoredservice] is invalid" }, status = 400 }),
                ("GET", "/_data_stream/logs-monitoredservice-default") when !DataStreamExists => (404, (object)new { error = "no such index", status = 404 }),
                ("POST", "/api/saved_objects/_import") => (200, new { success = true, successCount = 4 }),
                _ => (200, (object)new { acknowledged = true }),
            };
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(answer));
        });
    }

    private sealed record Recorded(string Method, string Path, string Query, Dictionary<string, string> Headers, string Body);
}
