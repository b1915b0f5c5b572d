using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.FileSystemGlobbing;
using MonitoredService.Observability;
using MonitoredService.Observability.Logging;
using MonitoredService.Observability.Logging.Elasticsearch;
using Serilog.Events;
using Serilog.Parsing;

namespace MonitoredService.Artifacts.Tests.Deploy;

/// <summary>
/// Fluent Bit's configurations (Kubernetes and compose). No Fluent Bit binary is available here, so
/// the files are read as data and checked against what they must meet: the container log file names
/// Kubernetes writes for our container, the lines our ECS formatter writes, and the data stream the
/// service's own Elasticsearch sink uses.
/// </summary>
public sealed partial class FluentBitTests
{
    private static readonly ServiceIdentity Service = new("monitoredservice", "0.1.0", "abc1234", "production", "pod-1");

    [Fact]
    public void KubernetesTailsTheLogFilesOfOurContainerOnly()
    {
        var tail = Section(Kubernetes(), "INPUT", "tail");
        var matcher = new Matcher();
        matcher.AddInclude(tail["Path"].TrimStart('/'));

        tail["multiline.parser"].Should().Be("cri", "containerd and CRI-O split long lines; the cri parser joins them");
        Matches(matcher, "var/log/containers/monitoredservice-7d9f8c6b5-x2x9z_prod_monitoredservice-0123456789abcdef.log").Should().BeTrue();
        Matches(matcher, "var/log/containers/monitoredservice-7d9f8c6b5-x2x9z_prod_istio-proxy-0123456789abcdef.log").Should().BeFalse();
        Matches(matcher, "var/log/containers/other-app-5f5c9-abcde_prod_other-app-0123456789abcdef.log").Should().BeFalse();
        tail["storage.type"].Should().Be("filesystem", "chunks wait on disk while Elasticsearch is down");
    }

    [Fact]
    public void BothConfigurationsParseTheLineWithAParserThatExists()
    {
        var parsers = Parsers();
        foreach (var config in new[] { Kubernetes(), Compose() })
        {
            var filter = Section(config, "FILTER", "parser");

            filter["Key_Name"].Should().Be("log");
            filter["Reserve_Data"].Should().Be("On", "the stream and the container stay with the record");
            parsers.Should().Contain(parser => parser["Name"] == filter["Parser"]);
            Section(config, "SERVICE")["Parsers_File"].Should().Be("parsers.conf");
        }
    }

    [Fact]
    public void TheParserReadsTheTimestampOurFormatterWrites()
    {
        var parser = Parsers().Single(p => p["Name"] == "monitoredservice-ecs");
        var pattern = TimeFormatPattern(parser["Time_Format"]);
        var lines = new[]
        {
            new DateTimeOffset(2026, 11, 22, 17, 0, 0, TimeSpan.FromHours(1)),
            new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero).AddTicks(9),
            DateTimeOffset.UtcNow,
        }.Select(FormatLine);

        parser["Format"].Should().Be("json");
        parser["Time_Key"].Should().Be("@timestamp");
        parser["Time_Keep"].Should().Be("Off", "the output writes @timestamp back; two would be a duplicate key");
        foreach (var line in lines)
        {
            var timestamp = JsonDocument.Parse(line).RootElement.GetProperty(parser["Time_Key"]).GetString()!;
            pattern.IsMatch(timestamp).Should().BeTrue($"'{timestamp}' should match Time_Format {parser["Time_Format"]}");
        }
    }

    [Fact]
    public void BothShipToTheDataStreamOfTheServicesOwnSinkAsDataStreamsRequire()
    {
        var dataStream = new ElasticsearchOptions().DataStream;
        foreach (var config in new[] { Kubernetes(), Compose() })
        {
            var output = Section(config, "OUTPUT", "es");

            output["Index"].Should().Be(dataStream);
            output["Write_Operation"].Should().Be("create", "a data stream accepts only create");
            output["Suppress_Type_Name"].Should().Be("On", "Elasticsearch 8 has no mapping types");
            output["Time_Key"].Should().Be("@timestamp");
            output.Should().NotContainKey("Logstash_Format");
        }

        var kubernetes = Section(Kubernetes(), "OUTPUT", "es");
        kubernetes["tls"].Should().Be("On");
        kubernetes["HTTP_Passwd"].Should().MatchRegex(@"^\$\{[A-Z_]+\}$", "the password comes from the environment (a Secret), never the file");
        Section(Kubernetes(), "FILTER", "kubernetes")["Kube_Tag_Prefix"].Should().Be("kube.var.log.containers.");
    }

    [Fact]
    public void TheComposeInputIsWhereTheLoggingDriverSends()
    {
        var input = Section(Compose(), "INPUT", "forward");
        var compose = File.ReadAllText(Repository.Path("deploy", "compose", "compose.yaml"));

        compose.Should().Contain($"fluentd-address: localhost:{input["Port"]}");
        compose.Should().Contain($"tag: {Section(Compose(), "OUTPUT", "es")["Match"]}");
    }

    /// <summary>Fluent Bit's strptime-style format as a regex (the directives our parsers use).</summary>
    private static Regex TimeFormatPattern(string format)
    {
        var pattern = Regex.Escape(format)
            .Replace("%Y", @"\d{4}").Replace("%m", @"\d{2}").Replace("%d", @"\d{2}")
            .Replace("%H", @"\d{2}").Replace("%M", @"\d{2}").Replace("%S", @"\d{2}")
            .Replace("%L", @"\d{1,9}").Replace("%z", @"(Z|[+-]\d{2}:?\d{2})");
        pattern.Should().NotContain("%", "every directive of the format is known to this test");
        return new Regex($"^{pattern}$");
    }

    private static string FormatLine(DateTimeOffset timestamp)
    {
        var logEvent = new LogEvent(timestamp, LogEventLevel.Information, null, new MessageTemplateParser().Parse("Hello"), []);
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        EcsFormat.Create(Service).Format(logEvent, output);
        return output.ToString();
    }

    private static bool Matches(Matcher matcher, string path) => matcher.Match(path).HasMatches;

    private static IReadOnlyList<(string Name, Dictionary<string, string> Settings)> Kubernetes() =>
        Load(Repository.Path("deploy", "k8s", "addons", "fluent-bit", "fluent-bit.conf"));

    private static IReadOnlyList<(string Name, Dictionary<string, string> Settings)> Compose() =>
        Load(Repository.Path("deploy", "compose", "fluent-bit", "fluent-bit.conf"));

    private static IReadOnlyList<Dictionary<string, string>> Parsers() =>
        Load(Repository.Path("deploy", "k8s", "addons", "fluent-bit", "parsers.conf")).Where(s => s.Name == "PARSER").Select(s => s.Settings).ToArray();

    private static Dictionary<string, string> Section(IReadOnlyList<(string Name, Dictionary<string, string> Settings)> config, string name, string? plugin = null) =>
        config.Should().ContainSingle(s => s.Name == name && (plugin == null || s.Settings["Name"] == plugin), $"one [{name}] {plugin}").Subject.Settings;

    /// <summary>Fluent Bit's classic format: [SECTION] headers, then "Key Value" lines; '#' comments.</summary>
    private static IReadOnlyList<(string Name, Dictionary<string, string> Settings)> Load(string path)
    {
        var sections = new List<(string Name, Dictionary<string, string> Settings)>();
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (SectionHeader().Match(line) is { Success: true } header)
            {
                sections.Add((header.Groups[1].Value, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)));
                continue;
            }

            var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            sections.Should().NotBeEmpty($"'{line}' in {path} is outside a section");
            sections[^1].Settings.Should().NotContainKey(parts[0], $"{path}: {parts[0]} is set twice");
            sections[^1].Settings[parts[0]] = parts.Length > 1 ? parts[1].Trim() : "";
        }

        return sections;
    }

    [GeneratedRegex(@"^\[([A-Z]+)\]$")]
    private static partial Regex SectionHeader();
}
