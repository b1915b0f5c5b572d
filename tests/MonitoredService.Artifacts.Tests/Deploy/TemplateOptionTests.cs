using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.FileSystemGlobbing;

namespace MonitoredService.Artifacts.Tests.Deploy;

/// <summary>
/// The template's options (<c>.template.config/template.json</c>; README, "Start your own service")
/// drop files by source modifiers and blocks by conditionals in each file's comment syntax. A
/// misspelt symbol is false to the template engine, and a renamed file is no longer excluded: both
/// would change an instance silently. These catch that here, in seconds; <c>TemplateTests</c>
/// instantiates the options.
/// </summary>
public sealed partial class TemplateOptionTests
{
    private static readonly JsonNode Template = JsonNode.Parse(File.ReadAllText(Repository.Path(".template.config", "template.json")))!;

    /// <summary>
    /// The computed symbols the sources test, and their value in the default instance (which is what
    /// this repository builds and tests): true ones are compilation symbols of Directory.Build.props.
    /// </summary>
    private static readonly Dictionary<string, bool> DefaultInstance = new()
    {
        ["SampleApi"] = true,
        ["WithPostgres"] = true,
        ["SqliteOnly"] = false,
        ["WithAuth"] = true,
        ["TemplateRepository"] = false,
    };

    [Fact]
    public void EveryComputedSymbolHasItsDefaultHere()
    {
        var computed = Template["symbols"]!.AsObject().Where(symbol => (string)symbol.Value!["type"]! == "computed").Select(symbol => symbol.Key);

        computed.Should().BeEquivalentTo(DefaultInstance.Keys);
        var props = File.ReadAllText(Repository.Path("Directory.Build.props"));
        foreach (var (symbol, isDefault) in DefaultInstance)
        {
            props.Contains($"$(DefineConstants);{symbol}<", StringComparison.Ordinal).Should().Be(isDefault,
                $"C# sees {symbol} as the default instance has it: defined when true, undefined (false) when not");
        }
    }

    [Fact]
    public void EveryConditionalNamesASymbolOfTheTemplateAndIsClosed()
    {
        var symbols = Template["symbols"]!.AsObject().Select(symbol => symbol.Key).ToHashSet();
        var problems = new List<string>();
        var files = 0;
        foreach (var file in TemplateNameFormTests.SourceFiles())
        {
            var depth = 0;
            var lines = File.ReadAllLines(file);
            var relative = Path.GetRelativePath(Repository.Root, file);
            for (var i = 0; i < lines.Length; i++)
            {
                var directive = Directive().Match(lines[i]);
                if (!directive.Success)
                {
                    continue;
                }

                var keyword = directive.Groups["keyword"].Value;
                depth += keyword == "if" ? 1 : keyword == "endif" ? -1 : 0;
                if (depth < 0)
                {
                    problems.Add($"{relative}:{i + 1}: {keyword} without its if");
                }

                var condition = StringLiteral().Replace(directive.Groups["condition"].Value, "");
                problems.AddRange(Identifier().Matches(condition).Select(name => name.Value)
                    .Where(name => name is not ("true" or "false") && !symbols.Contains(name))
                    .Select(name => $"{relative}:{i + 1}: {name} is not a symbol of template.json"));
                if (file.EndsWith(".cs", StringComparison.Ordinal))
                {
                    problems.AddRange(Identifier().Matches(condition).Select(name => name.Value)
                        .Where(name => !DefaultInstance.ContainsKey(name))
                        .Select(name => $"{relative}:{i + 1}: C# can test only a computed symbol, not {name}"));
                }
            }

            files += lines.Any(line => Directive().IsMatch(line)) ? 1 : 0;
            if (depth != 0)
            {
                problems.Add($"{relative}: {depth} if without its endif");
            }
        }

        files.Should().BeGreaterThan(20, "the options guard code, tests, rules, manifests and docs");
        problems.Should().BeEmpty();
    }

    [Fact]
    public void EveryFileAnOptionDropsOrMovesExists()
    {
        var files = Directory.EnumerateFiles(Repository.Root, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Repository.Root, file).Replace('\\', '/'))
            .Where(path => !path.StartsWith(".git/", StringComparison.Ordinal))
            .ToArray();
        var modifiers = Template["sources"]!.AsArray().SelectMany(source => source!["modifiers"]!.AsArray()).ToArray();

        modifiers.Select(modifier => (string)modifier!["condition"]!).Should().Contain(["(!SampleApi)", "(!WithPostgres)", "(SqliteOnly)", "(!WithAuth)"]);
        var patterns = modifiers.SelectMany(modifier => (modifier!["exclude"]?.AsArray().Select(pattern => (string)pattern!) ?? [])
            .Concat(modifier["rename"]?.AsObject().Select(rename => rename.Key) ?? []));
        foreach (var pattern in patterns)
        {
            var matcher = new Matcher();
            matcher.AddInclude(pattern);
            files.Should().Contain(path => matcher.Match(path).HasMatches, $"{pattern} is excluded or renamed by an option, so it must name a file");
        }
    }

    /// <summary><c>#if (X)</c>, <c>##if (X)</c> (an instance's commented lines), <c>&lt;!--#if (X) --&gt;</c>, and their elif, else and endif.</summary>
    [GeneratedRegex(@"^\s*(?:<!--)?#{1,2}(?<keyword>if|elif|elseif|else|endif)\b(?<condition>[^>]*)")]
    private static partial Regex Directive();

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"[A-Za-z_]\w*")]
    private static partial Regex Identifier();
}
