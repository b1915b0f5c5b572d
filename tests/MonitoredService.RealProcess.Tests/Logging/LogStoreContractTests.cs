using System.Net;
#if (WithAuth)
using System.Net.Http.Headers;
#endif
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MonitoredService.Testing.Artifacts;
using YamlDotNet.RepresentationModel;

namespace MonitoredService.RealProcess.Tests.Logging;

/// <summary>
/// The files that read the logs name fields the service really writes: the fields of real lines
/// (stdout, and the documents of its own <c>_bulk</c> sink) from one process that served successes,
/// a 404, injected 500s and refused tokens, against the index template's mappings, Kibana's saved
/// objects, Grafana's Elasticsearch and Jaeger data sources and the overview's logs panel.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class LogStoreContractTests
{
    private static readonly string Setup = Repository.Path(Manifests.ElasticsearchSetup);

    [Fact]
    public async Task EveryFieldTheLogToolsReadIsOneTheServiceWritesAndTheTemplateMaps()
    {
        var lines = await RealLinesAsync();
        var fields = lines.SelectMany(Flatten).GroupBy(f => f.Name).ToDictionary(g => g.Key, g => g.Select(f => f.Value).ToArray());
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(Setup, "index-template.json")))!["template"]!;
        var mappings = Mapped(template["mappings"]!["properties"]!, "");

        // The template: a field it maps has values of that type (numbers as long); a field it does
        // not map (a message template's own property) is mapped on first sight, and ignore_malformed
        // keeps a later document whose value has another type. @timestamp keeps its 100 ns digits.
        foreach (var (name, values) in fields.Where(f => mappings.ContainsKey(f.Key)))
        {
            var numeric = mappings[name] is "long";
            values.Should().OnlyContain(v => numeric ? v.ValueKind == JsonValueKind.Number : v.ValueKind == JsonValueKind.String, $"{name} is mapped as {mappings[name]}");
        }

        ((bool)template["settings"]!["index.mapping.ignore_malformed"]!).Should().BeTrue("a property of two types must not get a line rejected");
        fields.Keys.Should().Contain(name => !mappings.ContainsKey(name), "message templates bring properties of their own");
        mappings["@timestamp"].Should().Be("date_nanos");
        string[] read =
        [
            .. KibanaFields(), .. GrafanaFields(), .. LogsPanelFields(),
            "@timestamp", "log.level", "message", "trace.id", "span.id", "service.name", "event.duration", "url.path", "http.response.status_code",
#if (WithAuth)
            "event.reason",
#endif
            "EventId.Id", "EventId.Name",
        ];
        foreach (var name in read.Distinct())
        {
            mappings.Should().ContainKey(name, "a field a tool reads has an explicit mapping");
            if (name.StartsWith("error.", StringComparison.Ordinal))
            {
                // Written with an exception only (none here: injected errors are answers, not
                // exceptions); the formatter's tests cover them, the formatter names them.
                File.ReadAllText(Repository.Path("src", "MonitoredService.Observability", "Logging", "EcsFormat.cs")).Should().Contain($"\\\"{name}\\\"");
                continue;
            }

            fields.Should().ContainKey(name, "a tool reads it, so the service writes it");
        }

        fields["service.name"].Select(v => v.GetString()).Distinct().Should().Equal(["monitoredservice"], "the logs panel filters service.name by the job variable, which is monitoredservice");
        File.ReadAllText(RuleFiles.RulesPath).Should().Contain("job=\"monitoredservice\"");
        fields["trace.id"].Should().OnlyContain(v => LowerHex32().IsMatch(v.GetString()!), "Jaeger's trace ids: 32 lowercase hex digits");
        fields["log.level"].Select(v => v.GetString()!).Distinct().Should().BeSubsetOf(LevelOptions());
#if (WithAuth)
        fields["event.reason"].Select(v => v.GetString()!).Distinct().Should().BeSubsetOf(["missing", "invalid", "expired", "forbidden"], "the saved search's values");
#endif
        fields["event.duration"].Should().Contain(v => v.GetInt64() > 250_000_000, "the slow-requests search (> 250 ms in ns) finds the injected latency");
    }

    /// <summary>
    /// One process: a created item, a read, a 404, injected latency and errors, refused tokens
    /// (missing, forged, expired, missing scope); its stdout lines and its <c>_bulk</c> documents.
    /// </summary>
    private static async Task<IReadOnlyList<JsonElement>> RealLinesAsync()
    {
        await using var elasticsearch = new FakeElasticsearch();
#if (WithAuth)
        var tokens = new TestTokens();
#endif
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
#if (WithAuth)
            ["Authentication:Jwt:SigningKey"] = tokens.SigningKey,
            ["Authentication:Jwt:Audience"] = "monitoredservice",
#endif
            ["Observability:Logging:Elasticsearch:Url"] = elasticsearch.Address.ToString(),
            ["Observability:Logging:Elasticsearch:Period"] = "00:00:00.100",
            ["FaultInjection:ErrorRate"] = "0.3",
            ["FaultInjection:LatencyMs"] = "300",
        });
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();
#if (WithAuth)
        var writer = tokens.Mint(scope: "items:write", audience: "monitoredservice");
#else
        string? writer = null;
#endif
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add((await SendAsync(client, HttpMethod.Post, "/api/items", writer, "{\"name\":\"log contract\"}")).StatusCode);
            statuses.Add((await SendAsync(client, HttpMethod.Get, "/api/items/999999", writer)).StatusCode);
        }

        statuses.Should().Contain([HttpStatusCode.Created, HttpStatusCode.NotFound, HttpStatusCode.InternalServerError]);
#if (WithAuth)
        (await SendAsync(client, HttpMethod.Get, "/api/items", token: null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SendAsync(client, HttpMethod.Get, "/api/items", new TestTokens().Mint(audience: "monitoredservice"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SendAsync(client, HttpMethod.Get, "/api/items", tokens.Mint(audience: "monitoredservice", lifetime: TimeSpan.FromMinutes(-10)))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SendAsync(client, HttpMethod.Post, "/api/items", tokens.Mint(audience: "monitoredservice"), "{\"name\":\"x\"}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        await Eventually.TrueAsync(() => Task.FromResult(elasticsearch.AcceptedDocuments.Any(d => d.ToString().Contains("AuthenticationRefused", StringComparison.Ordinal)
            || d.ToString().Contains("\"event.reason\"", StringComparison.Ordinal))), "the _bulk sink ships the refusals");
#else
        await Eventually.TrueAsync(() => Task.FromResult(elasticsearch.AcceptedDocuments.Any(d => d.ToString().Contains("/api/items/999999", StringComparison.Ordinal))),
            "the _bulk sink ships the request lines");
#endif
        service.Terminate();
        (await service.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0);

        var stdout = service.Stdout.Split('\n').Where(line => line.StartsWith('{')).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToArray();
        stdout.Should().HaveCountGreaterThan(20);
        return [.. stdout, .. elasticsearch.AcceptedDocuments];
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

#if (WithAuth)
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

#endif
        return await client.SendAsync(request);
    }

    /// <summary>A line's fields as Elasticsearch sees them: dotted names, objects flattened.</summary>
    private static IEnumerable<(string Name, JsonElement Value)> Flatten(JsonElement line) => Flatten(line, "");

    private static IEnumerable<(string Name, JsonElement Value)> Flatten(JsonElement element, string prefix) =>
        element.ValueKind == JsonValueKind.Object
            ? element.EnumerateObject().SelectMany(p => Flatten(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}"))
            : [(Name: prefix, Value: element)];

    /// <summary>The template's explicit mappings: dotted field name → type.</summary>
    private static Dictionary<string, string> Mapped(JsonNode properties, string prefix) =>
        properties.AsObject().SelectMany<KeyValuePair<string, JsonNode?>, KeyValuePair<string, string>>(p => p.Value!["properties"] is { } children
                ? Mapped(children, $"{prefix}{p.Key}.")
                : [KeyValuePair.Create(prefix + p.Key, (string)p.Value!["type"]!)])
            .ToDictionary();

    /// <summary>The fields Kibana's saved searches query and show, and the data view formats.</summary>
    private static IEnumerable<string> KibanaFields()
    {
        foreach (var line in Manifests.KibanaSavedObjectFiles().SelectMany(File.ReadAllLines))
        {
            var saved = JsonNode.Parse(line)!;
            var attributes = saved["attributes"]!;
            if ((string)saved["type"]! == "index-pattern")
            {
                yield return (string)attributes["timeFieldName"]!;
                foreach (var (field, _) in JsonNode.Parse((string)attributes["fieldFormatMap"]!)!.AsObject())
                {
                    yield return field;
                }

                continue;
            }

            foreach (var column in attributes["columns"]!.AsArray())
            {
                yield return (string)column!;
            }

            var query = (string)JsonNode.Parse((string)attributes["kibanaSavedObjectMeta"]!["searchSourceJSON"]!)!["query"]!["query"]!;
            foreach (Match field in KqlField().Matches(query))
            {
                yield return field.Groups[1].Value;
            }
        }
    }

    /// <summary>The Elasticsearch data source's fields and the field Jaeger's trace-to-logs query names.</summary>
    private static IEnumerable<string> GrafanaFields()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Repository.Path("dashboards", "provisioning", "datasources", "monitoredservice.yml"))));
        var sources = Manifests.ToJson(stream.Documents[0].RootNode)!["datasources"]!.AsArray();
        var elasticsearch = sources.Single(s => (string)s!["type"]! == "elasticsearch")!["jsonData"]!;
        yield return (string)elasticsearch["timeField"]!;
        yield return (string)elasticsearch["logMessageField"]!;
        yield return (string)elasticsearch["logLevelField"]!;
        foreach (var link in elasticsearch["dataLinks"]!.AsArray())
        {
            yield return (string)link!["field"]!;
        }

        var query = (string)sources.Single(s => (string)s!["type"]! == "jaeger")!["jsonData"]!["tracesToLogsV2"]!["query"]!;
        foreach (Match field in LuceneField().Matches(query))
        {
            yield return field.Groups[1].Value;
        }
    }

    private static IEnumerable<string> LogsPanelFields()
    {
        var overview = DashboardFiles.Load(Repository.Path("dashboards", "monitoredservice-overview.json"));
        var panel = DashboardFiles.Panels(overview).Single(DashboardFiles.IsLogs);
        var query = panel.GetProperty("targets")[0].GetProperty("query").GetString()!;
        var fields = LuceneField().Matches(query).Select(m => m.Groups[1].Value).ToArray();
        fields.Should().Equal(["service.name", "log.level"]);
        query.Should().Contain("${job:lucene}").And.Contain("${level:lucene}", "the panel follows the dashboard's variables");
        return fields;
    }

    private static IEnumerable<string> LevelOptions() =>
        DashboardFiles.Load(Repository.Path("dashboards", "monitoredservice-overview.json")).GetProperty("templating").GetProperty("list").EnumerateArray()
            .Single(v => v.GetProperty("name").GetString() == "level").GetProperty("query").GetString()!.Split(',');

    [GeneratedRegex(@"([a-z@][a-z_.]*)\s*(?::|>|<)")]
    private static partial Regex KqlField();

    [GeneratedRegex(@"(?<![{\w.])([a-z@][a-z_.]*):")]
    private static partial Regex LuceneField();

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex LowerHex32();
}
