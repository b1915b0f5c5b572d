using System.Text.Json;
using System.Text.RegularExpressions;
using NJsonSchema;
using YamlDotNet.RepresentationModel;

namespace MonitoredService.Artifacts.Tests.Dashboards;

/// <summary>Dashboards that validate against Grafana's schema and that an operator can trust.</summary>
public sealed partial class DashboardTests
{
    public static TheoryData<string> Dashboards => new(DashboardFiles.Paths.Select(Path.GetFileName).OfType<string>());

    /// <summary>The dashboard over all alerts: it filters by alert name, not by job or instance.</summary>
    private const string AlertsDashboard = "monitoredservice-alerts.json";

    [Fact]
    public void ThereIsAServiceOverviewARuntimeAndAnAlertsDashboard()
    {
        DashboardFiles.Paths.Select(Path.GetFileNameWithoutExtension)
            .Should().Contain(["monitoredservice-overview", "monitoredservice-dotnet-runtime", "monitoredservice-alerts"]);
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

        variables.Should().Contain("datasource", "datasource");
        if (file != AlertsDashboard)
        {
            variables.Should().Contain("job", "query").And.Contain("instance", "query");
        }
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
            var datasource = DashboardFiles.IsLogs(panel) ? "${logs}" : "${datasource}";
            panel.GetProperty("datasource").GetProperty("uid").GetString().Should().Be(datasource, $"panel '{title}'");
            panel.GetProperty("targets").EnumerateArray().Should().NotBeEmpty()
                .And.OnlyContain(target => target.GetProperty("datasource").GetProperty("uid").GetString() == datasource);
        }
    }

    /// <summary>
    /// The service's metrics are selected by the job variable; an add-on's by the job its exporter is
    /// scraped as (<see cref="SignalContract.AddOnJobs"/>, what the alerts select); ALERTS by our
    /// alerts' names. Every rate uses Grafana's rate interval.
    /// </summary>
    [Theory]
    [MemberData(nameof(Dashboards))]
    public void EveryQuerySelectsItsJobAndEveryRateUsesTheRateInterval(string file)
    {
        foreach (var expression in DashboardFiles.Expressions(DashboardFiles.Load(Repository.Path("dashboards", file))))
        {
            foreach (var name in PromQl.MetricNames(expression))
            {
                var addOn = SignalContract.AddOnJobs.Where(a => name.StartsWith(a.Prefix, StringComparison.Ordinal)).Select(a => a.Job).FirstOrDefault();
                if (name == "ALERTS")
                {
                    expression.Should().MatchRegex("ALERTS\\{alertname=~\"" + Regex.Escape("MonitoredService.+") + "[^\"]*\"", "the alerts of this kit only");
                }
                else
                {
                    expression.Should().Contain(addOn is null ? "job=\"$job\"" : $"job=\"{addOn}\"", $"{name} in {expression}");
                }
            }

            if (RateFunction().IsMatch(expression))
            {
                Range().Matches(expression).Select(range => range.Value).Should().OnlyContain(range => range == "[$__rate_interval]", expression);
            }
        }
    }

    [Fact]
    public void TheAlertsDashboardLinksEveryAlertToItsRunbook()
    {
        var first = RuleFiles.Alerts.First().Annotations["runbook_url"];
        var runbooks = first[..first.LastIndexOf('/')];
        RuleFiles.Alerts.Should().OnlyContain(alert => alert.Annotations["runbook_url"] == $"{runbooks}/{alert.Alert}.md");
        var link = $"{runbooks}/${{__data.fields.alertname}}.md";

        var tables = DashboardFiles.Panels(DashboardFiles.Load(Repository.Path("dashboards", AlertsDashboard)))
            .Where(panel => panel.GetProperty("type").GetString() == "table").ToArray();
        tables.Should().HaveCount(2);
        foreach (var table in tables)
        {
            var links = table.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("links");
            links.EnumerateArray().Select(l => l.GetProperty("url").GetString()).Should().Equal([link], "a row opens the runbook of its alert");
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
