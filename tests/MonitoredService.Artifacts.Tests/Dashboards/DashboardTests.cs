using System.Text.Json;
using System.Text.RegularExpressions;
using NJsonSchema;
using YamlDotNet.RepresentationModel;

namespace MonitoredService.Artifacts.Tests.Dashboards;

/// <summary>Dashboards that validate against Grafana's schema and that an operator can trust.</summary>
public sealed partial class DashboardTests
{
    public static TheoryData<string> Dashboards => new(DashboardFiles.Paths.Select(Path.GetFileName).OfType<string>());

    [Fact]
    public void ThereIsAServiceOverviewAndARuntimeDashboard()
    {
        DashboardFiles.Paths.Select(Path.GetFileNameWithoutExtension)
            .Should().Contain(["monitoredservice-overview", "monitoredservice-dotnet-runtime"]);
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public async Task TheDashboardIsValidAgainstGrafanasSchema(string file)
    {
        var schema = await GrafanaSchemaAsync();

        var errors = schema.Validate(File.ReadAllText(Repository.Path("dashboards", file)));

        errors.Select(error => error.ToString()).Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void TheUidIsStableAndNothingIsLeftFromAnExport(string file)
    {
        var dashboard = DashboardFiles.Load(Repository.Path("dashboards", file));

        dashboard.GetProperty("uid").GetString().Should().Be(Path.GetFileNameWithoutExtension(file));
        dashboard.TryGetProperty("__inputs", out _).Should().BeFalse();
        dashboard.TryGetProperty("__requires", out _).Should().BeFalse();
        (dashboard.TryGetProperty("id", out var id) && id.ValueKind != JsonValueKind.Null).Should().BeFalse("Grafana assigns ids");
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void DatasourceJobAndInstanceAreVariables(string file)
    {
        var variables = DashboardFiles.Load(Repository.Path("dashboards", file)).GetProperty("templating").GetProperty("list").EnumerateArray()
            .ToDictionary(variable => variable.GetProperty("name").GetString()!, variable => variable.GetProperty("type").GetString());

        variables.Should().Contain("datasource", "datasource").And.Contain("job", "query").And.Contain("instance", "query");
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void EveryPanelHasADescriptionAUnitAndTheDatasourceVariable(string file)
    {
        foreach (var panel in DashboardFiles.Panels(DashboardFiles.Load(Repository.Path("dashboards", file))))
        {
            var title = panel.GetProperty("title").GetString();
            panel.GetProperty("description").GetString().Should().NotBeNullOrWhiteSpace($"panel '{title}' explains itself");
            panel.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("unit").GetString().Should().NotBeNullOrWhiteSpace($"panel '{title}' has a unit");
            panel.GetProperty("datasource").GetProperty("uid").GetString().Should().Be("${datasource}", $"panel '{title}'");
            panel.GetProperty("targets").EnumerateArray().Should().NotBeEmpty()
                .And.OnlyContain(target => target.GetProperty("datasource").GetProperty("uid").GetString() == "${datasource}");
        }
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void EveryQuerySelectsTheJobVariableAndEveryRateUsesTheRateInterval(string file)
    {
        foreach (var expression in DashboardFiles.Expressions(DashboardFiles.Load(Repository.Path("dashboards", file))))
        {
            expression.Should().Contain("job=\"$job\"");
            if (RateFunction().IsMatch(expression))
            {
                Range().Matches(expression).Select(range => range.Value).Should().OnlyContain(range => range == "[$__rate_interval]", expression);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void PanelsHaveUniqueIdsAndDoNotOverlap(string file)
    {
        var panels = DashboardFiles.Load(Repository.Path("dashboards", file)).GetProperty("panels").EnumerateArray()
            .Select(panel => (Id: panel.GetProperty("id").GetInt32(), Box: panel.GetProperty("gridPos")))
            .ToArray();

        panels.Select(panel => panel.Id).Should().OnlyHaveUniqueItems();
        var cells = new HashSet<(int X, int Y)>();
        foreach (var (id, box) in panels)
        {
            int x = box.GetProperty("x").GetInt32(), y = box.GetProperty("y").GetInt32(), w = box.GetProperty("w").GetInt32(), h = box.GetProperty("h").GetInt32();
            (x + w).Should().BeLessThanOrEqualTo(24, $"panel {id} fits the 24-column grid");
            for (var column = x; column < x + w; column++)
            {
                for (var row = y; row < y + h; row++)
                {
                    cells.Add((column, row)).Should().BeTrue($"panel {id} does not overlap another at ({column}, {row})");
                }
            }
        }
    }

    [Fact]
    public void LatencyExemplarsOpenTheirTraceInJaeger()
    {
        var overview = DashboardFiles.Load(Repository.Path("dashboards", "monitoredservice-overview.json"));
        var latency = DashboardFiles.Panels(overview).Single(panel => panel.GetProperty("title").GetString() == "API latency percentiles");
        latency.GetProperty("targets").EnumerateArray().Should().OnlyContain(target => target.GetProperty("exemplar").GetBoolean());

        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Repository.Path("dashboards", "provisioning", "datasources", "monitoredservice.yml"))));
        var datasources = ((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["datasources"]).Children.Cast<YamlMappingNode>().ToArray();
        var prometheus = datasources.Single(datasource => datasource["type"].ToString() == "prometheus");
        var jaeger = datasources.Single(datasource => datasource["type"].ToString() == "jaeger");
        var destination = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)prometheus["jsonData"])["exemplarTraceIdDestinations"]).Children.Single();

        destination["name"].ToString().Should().Be("trace_id", "prometheus-net names the exemplar label trace_id");
        destination["datasourceUid"].ToString().Should().Be(jaeger["uid"].ToString());
        prometheus["uid"].ToString().Should().Be("prometheus", "the dashboards' datasource variable defaults to it");
    }

    [Fact]
    public void TheDashboardProviderLoadsTheDashboardsDirectory()
    {
        var provider = File.ReadAllText(Repository.Path("dashboards", "provisioning", "dashboards", "monitoredservice.yml"));

        provider.Should().Contain("type: file").And.Contain("path: /var/lib/grafana/dashboards/monitoredservice");
    }

    /// <summary>
    /// Grafana's dashboard schema (../shared/schemas). Its root is only a $ref to its own
    /// definitions, which NJsonSchema cannot resolve; the referenced definition is hoisted to the
    /// root with all the definitions beside it: the same constraints.
    /// </summary>
    private static Task<JsonSchema> GrafanaSchemaAsync()
    {
        var path = Repository.Schema("grafana", "dashboard.jsonschema.json");
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        root["$ref"]!.GetValue<string>().Should().Be("#/definitions/Dashboard");
        var definitions = root["definitions"]!;
        var dashboard = definitions["Dashboard"]!.DeepClone().AsObject();
        dashboard["definitions"] = definitions.DeepClone();
        return JsonSchema.FromJsonAsync(dashboard.ToJsonString());
    }

    [GeneratedRegex(@"\b(?:rate|irate|increase)\s*\(")]
    private static partial Regex RateFunction();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Range();
}
