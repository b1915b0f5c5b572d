using System.Globalization;
using System.Text.RegularExpressions;

namespace MonitoredService.Testing;

/// <summary>A Prometheus text exposition, parsed enough to read samples and count series.</summary>
public sealed partial class Exposition(string text)
{
    public string Text { get; } = text;

    /// <summary>Every sample line (series), without comments.</summary>
    public IReadOnlyList<string> Series => Text.Split('\n').Where(line => line.Length > 0 && line[0] != '#').ToArray();

    /// <summary>Names of the metric families declared with # TYPE.</summary>
    public IReadOnlySet<string> Families => Text.Split('\n')
        .Where(line => line.StartsWith("# TYPE ", StringComparison.Ordinal))
        .Select(line => line.Split(' ')[2])
        .ToHashSet();

    public static async Task<Exposition> ScrapeAsync(HttpClient client, string path = "/metrics")
    {
        using var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return new Exposition(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The value of the sample with this name whose labels include all of <paramref name="labels"/>, or null.</summary>
    public double? Value(string name, params (string Label, string Value)[] labels)
    {
        foreach (var line in Series)
        {
            var match = SampleLine().Match(line);
            if (!match.Success || match.Groups["name"].Value != name)
            {
                continue;
            }

            var present = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(pair => pair.Groups["label"].Value, pair => pair.Groups["value"].Value);
            if (labels.All(label => present.TryGetValue(label.Label, out var value) && value == label.Value))
            {
                return double.Parse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>(?:[^""}]|""(?:[^""\\]|\\.)*"")*)\})?\s+(?<value>\S+)")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<label>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
