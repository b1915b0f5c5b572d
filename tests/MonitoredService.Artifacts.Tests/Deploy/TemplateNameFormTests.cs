using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MonitoredService.Artifacts.Tests.Deploy;

/// <summary>
/// The template (<c>.template.config/template.json</c>) tells the forms of the service's name apart
/// by what follows them in the sources (README, "Start your own service"). These keep the sources to
/// that rule, so that an instance cannot get a half-renamed identifier: the slow proof is
/// <c>TemplateTests</c>, which instantiates the template.
/// </summary>
public sealed partial class TemplateNameFormTests
{
    private static readonly string TemplatePath = Repository.Path(".template.config", "template.json");

    [Fact]
    public void EveryUseOfTheNameIsInAFormTheTemplateKnows()
    {
        var offending = SourceFiles()
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, number: index + 1)))
            .SelectMany(entry => AnyCaseName().Matches(entry.line).Select(match => (entry, match)))
            .Where(found => !IsKnownForm(found.entry.line, found.match))
            .Select(found => $"{Path.GetRelativePath(Repository.Root, found.entry.file)}:{found.entry.number}: {found.entry.line.Trim()}")
            .ToArray();

        offending.Should().BeEmpty(
            "the name is written as MonitoredService (then not a letter or digit; a capital letter: PascalCase; .+ or (: a regular expression of PascalCase names), " +
            "monitoredservice_ (the metric prefix), monitoredservice (then not a letter or digit: kebab-case) or MONITOREDSERVICE_");
    }

    [Fact]
    public void TheTemplateHasOneSymbolWithAFormPerUse()
    {
        var template = JsonNode.Parse(File.ReadAllText(TemplatePath))!;

        ((string)template["shortName"]!).Should().Be("monitoredservice");
        var symbol = template["symbols"]!["serviceName"]!;
        ((string)symbol["replaces"]!).Should().Be("MonitoredService");
        var forms = symbol["forms"]!["global"]!["forms"]!.AsArray().Select(form => (string)form!).ToArray();
        forms.Should().Contain(["identity", "kebab", "snake", "upperSnake", "pascalRegex", "pascalGroup"]);
        forms.Where(form => form.Length == "pascal".Length + 1 && form.StartsWith("pascal", StringComparison.Ordinal)).Select(form => form[^1])
            .Should().BeEquivalentTo(Enumerable.Range('A', 26).Select(letter => (char)letter), "a PascalCase name can be followed by any capital letter");
        template["forms"]!.AsObject().Select(form => form.Key).Should().Contain(forms.Where(form => form != "identity"), "every form a symbol uses is defined");
    }

    private static bool IsKnownForm(string line, Match match)
    {
        var after = match.Index + match.Length < line.Length ? line[match.Index + match.Length] : '\n';
        return match.Value switch
        {
            "MonitoredService" => !char.IsAsciiLetterOrDigit(after) || char.IsAsciiLetterUpper(after),
            "monitoredservice" => after == '_' || !char.IsAsciiLetterOrDigit(after),
            "MONITOREDSERVICE" => after == '_',
            _ => false, // Monitoredservice, monitoredService, ...: no form makes these
        };
    }

    /// <summary>The files an instance is made from: the repository's, less what the template excludes (its <c>sources</c>).</summary>
    internal static IEnumerable<string> SourceFiles()
    {
        var excludes = JsonNode.Parse(File.ReadAllText(TemplatePath))!["sources"]!.AsArray()
            .SelectMany(source => source!["exclude"]!.AsArray().Select(pattern => (string)pattern!)).ToArray();
        excludes.Should().Contain(["**/bin/**", "**/obj/**", ".git/**", ".template.config/**"]);
        return Directory.EnumerateFiles(Repository.Root, "*", SearchOption.AllDirectories)
            .Where(file => !excludes.Any(pattern => Excludes(pattern, Path.GetRelativePath(Repository.Root, file).Replace('\\', '/'))));
    }

    /// <summary>The glob forms template.json uses: <c>**/dir/**</c>, <c>dir/**</c> and a file's path.</summary>
    private static bool Excludes(string pattern, string path) => pattern switch
    {
        _ when pattern.StartsWith("**/", StringComparison.Ordinal) && pattern.EndsWith("/**", StringComparison.Ordinal) =>
            path.Split('/').SkipLast(1).Contains(pattern[3..^3]),
        _ when pattern.EndsWith("/**", StringComparison.Ordinal) => path.StartsWith(pattern[..^2], StringComparison.Ordinal),
        _ => path == pattern,
    };

    [GeneratedRegex("monitoredservice", RegexOptions.IgnoreCase)]
    private static partial Regex AnyCaseName();
}
