using System.Text.Json;
using System.Text.RegularExpressions;

namespace MonitoredService.Testing.Artifacts;

/// <summary>
/// deploy/Dockerfile as data (stages and instructions, line continuations joined, ARG defaults
/// substituted) and the build context that .dockerignore lets through. No Docker engine runs here.
/// </summary>
public sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    public Stage Final => Stages[^1];

    public Stage this[string name] => Stages.Single(stage => stage.Name == name);

    /// <summary>The Dockerfile with its ARG defaults, or the given build arguments (<c>--build-arg</c>).</summary>
    public static Dockerfile Load(IReadOnlyDictionary<string, string>? buildArguments = null) =>
        Parse(File.ReadAllText(Repository.Path("deploy", "Dockerfile")), buildArguments);

    public static Dockerfile Parse(string text, IReadOnlyDictionary<string, string>? buildArguments = null)
    {
        var lines = ContinuedLine().Replace(text, " ").Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'));
        var arguments = new Dictionary<string, string>();
        var stages = new List<Stage>();
        foreach (var line in lines)
        {
            var space = line.IndexOf(' ');
            var keyword = line[..space].ToUpperInvariant();
            var rest = Substitute(line[(space + 1)..].Trim(), arguments);
            if (keyword == "ARG" && rest.Split('=', 2) is [var name, var value])
            {
                arguments[name] = buildArguments?.GetValueOrDefault(name) ?? value;
            }

            if (keyword == "FROM")
            {
                var parts = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stages.Add(new Stage(parts[0], parts.Length == 3 ? parts[2] : null, []));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Instructions.Add(new Instruction(keyword, rest));
            }
        }

        return new Dockerfile(stages);
    }

    /// <summary>
    /// Whether .dockerignore keeps <paramref name="path"/> (relative, '/'-separated) out of the build
    /// context: Docker's rules for the patterns it uses: the last matching line decides, '!'
    /// re-includes, '**' spans directories, and a pattern that matches a directory matches all in it.
    /// </summary>
    public static bool IsIgnored(string path, IReadOnlyList<string> patterns)
    {
        var ignored = false;
        foreach (var line in patterns)
        {
            var exception = line.StartsWith('!');
            var pattern = (exception ? line[1..] : line).Trim('/');
            var regex = new Regex("^" + Regex.Escape(pattern).Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]") + "(/.*)?$");
            if (regex.IsMatch(path))
            {
                ignored = !exception;
            }
        }

        return ignored;
    }

    public static IReadOnlyList<string> IgnorePatterns() =>
        File.ReadAllLines(Repository.Path(".dockerignore")).Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')).ToArray();

    /// <summary>The files of the working tree that .dockerignore sends to the builder.</summary>
    public static IReadOnlyList<string> Context()
    {
        var patterns = IgnorePatterns();
        return Directory.EnumerateFiles(Repository.Root, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Repository.Root, file).Replace('\\', '/'))
            .Where(file => !file.StartsWith(".git/", StringComparison.Ordinal) && !IsIgnored(file, patterns))
            .Order()
            .ToArray();
    }

    private static string Substitute(string text, Dictionary<string, string> arguments) =>
        ArgumentReference().Replace(text, match => arguments.TryGetValue(match.Groups[1].Value, out var value) ? value : match.Value);

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex ContinuedLine();

    [GeneratedRegex(@"\$\{(\w+)\}")]
    private static partial Regex ArgumentReference();

    public sealed record Stage(string Image, string? Name, List<Instruction> Instructions)
    {
        public IEnumerable<Instruction> All(string keyword) => Instructions.Where(instruction => instruction.Keyword == keyword);

        public Instruction Single(string keyword) => Instructions.Single(instruction => instruction.Keyword == keyword);
    }

    public sealed record Instruction(string Keyword, string Arguments)
    {
        /// <summary>The JSON array of an exec-form instruction (CMD, ENTRYPOINT), after any options.</summary>
        public string[] ExecForm()
        {
            var start = Arguments.IndexOf('[');
            start.Should().BeGreaterThanOrEqualTo(0, $"{Keyword} should use the exec (JSON) form: no shell in the image");
            return JsonSerializer.Deserialize<string[]>(Arguments[start..])!;
        }

        /// <summary>The value of an option such as <c>--chown=10001:10001</c>, or null.</summary>
        public string? Option(string name) =>
            Arguments.Split(' ').FirstOrDefault(part => part.StartsWith($"--{name}=", StringComparison.Ordinal))?.Split('=', 2)[1];

        /// <summary>The operands after the options.</summary>
        public string[] Operands => Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(part => !part.StartsWith("--", StringComparison.Ordinal)).ToArray();
    }
}
