using System.Text.Json;

namespace MonitoredService.Testing.Artifacts;

/// <summary>The Grafana dashboards of dashboards/ and their queries, as data.</summary>
public static class DashboardFiles
{
    public static IEnumerable<string> Paths => Directory.GetFiles(Repository.Path("dashboards"), "*.json").Order();

    public static JsonElement Load(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    /// <summary>Every panel that is not a row.</summary>
    public static IEnumerable<JsonElement> Panels(JsonElement dashboard) =>
        dashboard.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("type").GetString() == "row"
                ? panel.GetProperty("panels").EnumerateArray().ToArray()
                : [panel]);

    /// <summary>Whether the panel shows log lines from Elasticsearch (the overview's logs panel), not metrics.</summary>
    public static bool IsLogs(JsonElement panel) => panel.GetProperty("datasource").GetProperty("type").GetString() == "elasticsearch";

    /// <summary>Every panel over Prometheus.</summary>
    public static IEnumerable<JsonElement> MetricPanels(JsonElement dashboard) => Panels(dashboard).Where(panel => !IsLogs(panel));

    public static IEnumerable<string> Expressions(JsonElement dashboard) =>
        MetricPanels(dashboard).SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!);
}
