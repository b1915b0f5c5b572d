using System.Text.RegularExpressions;

namespace MonitoredService.Unit.Tests.Architecture;

/// <summary>
/// docs/architecture.md stays true: the paths it names exist, its table of rooms covers every
/// folder of the two projects, and each room's code uses only the rooms its row allows.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly string Page = File.ReadAllText(Repository.Path("docs", "architecture.md"));

    public static TheoryData<string> Rooms => new(RoomTable().Select(room => room.Name));

    [Fact]
    public void EveryPathThePageNamesExists()
    {
        var paths = QuotedPath().Matches(Page).Select(match => match.Groups["path"].Value).Distinct().ToList();

        paths.Should().HaveCountGreaterThan(20);
        paths.Where(path => !File.Exists(Repository.Path(path)) && !Directory.Exists(Repository.Path(path)))
            .Should().BeEmpty("docs/architecture.md names them");
    }

    [Fact]
    public void EveryFolderOfTheLibraryAndTheHostIsARoomOfThePage()
    {
        var folders = new[] { "MonitoredService.Observability", "MonitoredService" }
            .SelectMany(project => Directory.GetDirectories(Repository.Path("src", project))
                .Select(directory => $"src/{project}/{Path.GetFileName(directory)}"))
            .Where(folder => !folder.EndsWith("/bin", StringComparison.Ordinal) && !folder.EndsWith("/obj", StringComparison.Ordinal)
                && !folder.EndsWith("/Properties", StringComparison.Ordinal) && !folder.EndsWith("/data", StringComparison.Ordinal));

        RoomTable().Select(room => room.Folder).Should().BeEquivalentTo(folders);
    }

    [Theory]
    [MemberData(nameof(Rooms))]
    public void ARoomUsesOnlyTheRoomsItsRowAllows(string name)
    {
        var rooms = RoomTable();
        var room = rooms.Single(r => r.Name == name);
        var files = Directory.GetFiles(Repository.Path(room.Folder), "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains("/bin/", StringComparison.Ordinal) && !file.Contains("/obj/", StringComparison.Ordinal))
            .ToList();

        files.Should().NotBeEmpty();
        var used = files
            .SelectMany(file => rooms.Where(other => other != room && Uses(File.ReadAllText(file), room, other))
                .Select(other => $"{other.Name} (in {Path.GetFileName(file)})"))
            .ToList();
        used.Where(use => !room.MayUse.Contains(use.Split(' ')[0])).Should().BeEmpty($"the {name} room may use only {string.Join(", ", room.MayUse.DefaultIfEmpty("nothing"))}");
    }

    [Fact]
    public void TheLibraryNamesNoDependencyOfTheHost()
    {
        var library = Repository.Path("src", "MonitoredService.Observability");
        var texts = Directory.GetFiles(library, "*.cs*", SearchOption.AllDirectories)
            .Where(file => !file.Contains("/bin/", StringComparison.Ordinal) && !file.Contains("/obj/", StringComparison.Ordinal))
            .Select(file => (File: Path.GetFileName(file), Text: File.ReadAllText(file)));

        texts.Where(text => HostDependency().IsMatch(text.Text)).Select(text => text.File).Should().BeEmpty();
    }

    private static bool Uses(string code, Room room, Room other)
    {
        var ns = Regex.Escape(other.Namespace);
        if (Regex.IsMatch(code, $@"^using (static )?{ns}(\.[\w.]+)?;", RegexOptions.Multiline) || Regex.IsMatch(code, $@"\b{ns}\.[A-Z]"))
        {
            return true;
        }

        // Inside the library a sibling room can be named without its prefix (Metrics.MetricNames).
        return room.Namespace.StartsWith(LibraryNamespace, StringComparison.Ordinal)
            && other.Namespace.StartsWith(LibraryNamespace, StringComparison.Ordinal)
            && Regex.IsMatch(code, $@"(?<![\w.]){Regex.Escape(other.Name)}\.[A-Z]");
    }

    private const string LibraryNamespace = "MonitoredService.Observability.";

    /// <summary>The rows of the page's room table: name, folder, and the rooms it may use.</summary>
    private static List<Room> RoomTable() =>
        RoomRow().Matches(Page).Select(row => new Room(
            row.Groups["name"].Value,
            row.Groups["folder"].Value,
            row.Groups["uses"].Value.Trim() == "—" ? [] : row.Groups["uses"].Value.Split(',', StringSplitOptions.TrimEntries)))
        .ToList();

    private sealed record Room(string Name, string Folder, string[] MayUse)
    {
        public string Namespace => Folder["src/".Length..].Replace('/', '.');
    }

    [GeneratedRegex(@"^\| (?<name>\w+) \| `(?<folder>src/[^`]+)` \| .+ \| (?<uses>[^|]+) \|$", RegexOptions.Multiline)]
    private static partial Regex RoomRow();

    [GeneratedRegex(@"`(?<path>(?:src|tests|docs|alerts|dashboards|deploy)/[^`<>*\s]+)`")]
    private static partial Regex QuotedPath();

    [GeneratedRegex(@"Npgsql|Microsoft\.Data\.Sqlite|MonitoredService\.Items|\bPostgres")]
    private static partial Regex HostDependency();
}
