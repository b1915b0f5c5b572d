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

    public static IEnumerable<string> Expressions(JsonElement dashboard) =>
        Panels(dashboard).SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!);
}
