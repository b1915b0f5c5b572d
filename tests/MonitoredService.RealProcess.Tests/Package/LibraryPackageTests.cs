using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace MonitoredService.RealProcess.Tests.Package;

/// <summary>
/// The Observability library as a NuGet package. Its sources as they are in the working tree (with
/// the repository's build props) are copied into a git repository of their own with a GitHub
/// origin, packed into a folder feed with a version from the build, and referenced by a fresh web
/// project that calls <c>AddObservability()</c> and <c>MapObservabilityEndpoints()</c> and nothing
/// else. That project builds and, as a process, serves the three probes and /metrics and writes ECS
/// lines to stdout. The copy keeps the test off the build output the other tests run.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class LibraryPackageTests(ITestOutputHelper output) : IDisposable
{
    private const string PackageId = "MonitoredService.Observability";
    private const string Origin = "https://github.com/example/observed-service";
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("monitoredservice-package-");
    private readonly string _version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";

    [Fact]
    public async Task AFreshWebProjectGetsProbesMetricsAndEcsLogsFromThePackageAlone()
    {
        var feed = await PackAsync();

        var nupkg = Path.Combine(feed, $"{PackageId}.{_version}.nupkg");
        using (var package = ZipFile.OpenRead(nupkg))
        {
            package.Entries.Select(entry => entry.FullName).Should().Contain(
                ["README.md", $"lib/net10.0/{PackageId}.dll", $"lib/net10.0/{PackageId}.xml"], "the package carries its README and XML docs");
            var nuspec = XDocument.Load(package.GetEntry($"{PackageId}.nuspec")!.Open());
            string? Field(string name) => nuspec.Descendants().FirstOrDefault(element => element.Name.LocalName == name)?.Value;
            Field("version").Should().Be(_version, "the version comes from the build");
            Field("license").Should().Be("MIT");
            Field("readme").Should().Be("README.md");
            Field("description").Should().NotBeNullOrWhiteSpace();
            nuspec.Descendants().Single(element => element.Name.LocalName == "repository").Attribute("url")!.Value.Should().Be(Origin + ".git");
            nuspec.Descendants().Where(element => element.Name.LocalName == "dependency").Select(element => element.Attribute("id")!.Value)
                .Should().Contain(["prometheus-net.AspNetCore", "Serilog.AspNetCore", "OpenTelemetry.Extensions.Hosting"]);
        }

        using (var symbols = ZipFile.OpenRead(Path.ChangeExtension(nupkg, ".snupkg")))
        {
            var pdb = new MemoryStream();
            await symbols.GetEntry($"lib/net10.0/{PackageId}.pdb")!.Open().CopyToAsync(pdb);
            var sourceLink = SourceLinkOf(pdb);
            output.WriteLine($"source link: {sourceLink}");
            var documents = JsonNode.Parse(sourceLink)!["documents"]!.AsObject();
            documents.Select(pair => pair.Value!.GetValue<string>())
                .Should().ContainSingle().Which.Should().StartWith("https://raw.githubusercontent.com/example/observed-service/", "the PDB maps to the commit at the origin");
        }

        var app = await BuildConsumerAsync();
        var port = ServiceProcess.FreePort();
        var logPath = Path.Combine(_work.FullName, "consumer.log");
        await using (var consumer = BackgroundProcess.Start("dotnet", [app, $"--urls=http://127.0.0.1:{port}"], logPath, workingDirectory: Path.GetDirectoryName(app)))
        {
            var address = new Uri($"http://127.0.0.1:{port}");
            await consumer.WaitUntilReadyAsync(new Uri(address, "/health/ready"));
            using var client = new HttpClient { BaseAddress = address };
            foreach (var probe in new[] { "/health/live", "/health/startup", "/health/ready" })
            {
                using var response = await client.GetAsync(probe);
                response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, probe);
                JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<string>().Should().Be("Healthy", probe);
            }

            var metrics = await client.GetStringAsync("/metrics");
            metrics.Should().Contain("# TYPE monitoredservice_build_info gauge").And.Contain("monitoredservice_health_probe_status");
        }

        var lines = File.ReadAllLines(logPath).Where(line => line.StartsWith('{')).ToArray();
        output.WriteLine($"{lines.Length} log lines; the first: {lines.FirstOrDefault()}");
        lines.Should().NotBeEmpty("the host's logs go to stdout as ECS lines");
        foreach (var line in lines)
        {
            var document = JsonNode.Parse(line)!.AsObject();
            document.Select(pair => pair.Key).Should().Contain(["@timestamp", "log.level", "message", "ecs.version"], line);
        }

        lines.Should().Contain(line => line.Contains("\"service.name\":\"consumer\""), "a host that takes the package is named after its application");
    }

    public void Dispose()
    {
        _work.Delete(recursive: true);
        // The consumer's restore extracted this test's version into the global packages folder: only that one goes.
        var extracted = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), PackageId.ToLowerInvariant(), _version);
        if (Directory.Exists(extracted))
        {
            Directory.Delete(extracted, recursive: true);
        }
    }

    /// <summary>Copies the library and the build props into a repository of their own, commits, and packs it; returns the feed folder.</summary>
    private async Task<string> PackAsync()
    {
        var repository = Directory.CreateDirectory(Path.Combine(_work.FullName, "repository")).FullName;
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" })
        {
            File.Copy(Repository.Path(file), Path.Combine(repository, file));
        }

        var library = Repository.Path("src", PackageId);
        foreach (var file in Directory.EnumerateFiles(library, "*", SearchOption.AllDirectories)
                     .Where(file => Path.GetRelativePath(library, file).Split(Path.DirectorySeparatorChar)[0] is not ("bin" or "obj")))
        {
            var copy = Path.Combine(repository, "src", PackageId, Path.GetRelativePath(library, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        await Tools.CommitAllAsync(repository, output.WriteLine, "the library");
        await RunAsync(repository, "git", "remote", "add", "origin", Origin + ".git");

        var feed = Directory.CreateDirectory(Path.Combine(_work.FullName, "feed")).FullName;
        await RunAsync(repository, "dotnet", "pack", Path.Combine("src", PackageId), "--configuration", "Release", "--output", feed, $"-p:Version={_version}", "--nologo");
        return feed;
    }

    /// <summary>A new web project referencing the package from the feed; returns the path of its built assembly.</summary>
    private async Task<string> BuildConsumerAsync()
    {
        var project = Directory.CreateDirectory(Path.Combine(_work.FullName, "Consumer")).FullName;
        await File.WriteAllTextAsync(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{PackageId}" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), """
            using MonitoredService.Observability;

            var builder = WebApplication.CreateBuilder(args);
            builder.AddObservability();
            var app = builder.Build();
            app.MapObservabilityEndpoints();
            app.Run();
            """);
        // The folder feed, beside the sources of the machine's own NuGet configuration.
        await File.WriteAllTextAsync(Path.Combine(project, "nuget.config"), """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="../feed" />
              </packageSources>
            </configuration>
            """);
        await RunAsync(project, "dotnet", "build", "--configuration", "Release", "--nologo");
        return Path.Combine(project, "bin", "Release", "net10.0", "Consumer.dll");
    }

    private Task RunAsync(string directory, string tool, params string[] arguments) =>
        Tools.RunOrFailAsync(directory, output.WriteLine, timeout: null, tool, arguments);

    private static string SourceLinkOf(MemoryStream pdb)
    {
        pdb.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
        var reader = provider.GetMetadataReader();
        var handle = reader.CustomDebugInformation.Single(h => reader.GetGuid(reader.GetCustomDebugInformation(h).Kind) == SourceLinkKind);
        return System.Text.Encoding.UTF8.GetString(reader.GetBlobBytes(reader.GetCustomDebugInformation(handle).Value));
    }
}
