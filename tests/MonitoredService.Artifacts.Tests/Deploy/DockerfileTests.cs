using System.Diagnostics;
using System.Net;

namespace MonitoredService.Artifacts.Tests.Deploy;

/// <summary>
/// deploy/Dockerfile and .dockerignore. No Docker engine runs on this machine, so the image is not
/// built; instead its facts are checked, and its build is replayed: the build context .dockerignore
/// lets through, the COPY and RUN steps of the build stage in order (restore with only the files
/// copied before it), the runtime stage's copies, then its ENTRYPOINT and HEALTHCHECK are run.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class DockerfileTests
{
    [Fact]
    public void TheImageIsBuiltWithTheSdkAndRunsOnTheChiseledRuntimeAsANonRootUser()
    {
        var dockerfile = Dockerfile.Load();
        var framework = System.Xml.Linq.XDocument.Load(Repository.Path("Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var version = framework["net".Length..];

        dockerfile.Stages.Should().HaveCount(2);
        dockerfile["build"].Image.Should().Be($"mcr.microsoft.com/dotnet/sdk:{version}-noble");
        dockerfile.Final.Image.Should().Be($"mcr.microsoft.com/dotnet/aspnet:{version}-noble-chiseled");
        dockerfile.Final.All("RUN").Should().BeEmpty("the chiseled runtime has no shell to run anything in");
        var user = dockerfile.Final.Single("USER").Arguments.Split(':').Select(int.Parse).ToArray();
        user.Should().HaveCount(2).And.OnlyContain(id => id >= 10000, "a UID and GID of 10000 or more, numeric for runAsNonRoot");
        dockerfile.Final.Single("EXPOSE").Arguments.Should().Be("8080");
        dockerfile.Final.Single("ENV").Arguments.Should().Be("ASPNETCORE_HTTP_PORTS=8080");
        dockerfile.Final.Single("ENTRYPOINT").ExecForm().Should().Equal("dotnet", "MonitoredService.dll");
        var healthcheck = dockerfile.Final.Single("HEALTHCHECK");
        healthcheck.ExecForm().Should().Equal("dotnet", "MonitoredService.dll", "healthcheck", "ready");
        TimeSpan.FromSeconds(int.Parse(healthcheck.Option("timeout")!.TrimEnd('s'))).Should()
            .BeGreaterThan(TimeSpan.FromSeconds(5), "the healthcheck command waits up to 5 s for an answer");
        dockerfile.Final.All("COPY").Should().OnlyContain(copy => copy.Option("from") == "build", "the runtime stage takes only the build's output");
    }

    [Fact]
    public async Task TheImageUserIsThePodUser()
    {
        var user = Dockerfile.Load().Final.Single("USER").Arguments.Split(':').Select(long.Parse).ToArray();
        var pod = (await Manifests.SingleAsync(Manifests.Base, "Deployment"))["spec"]!["template"]!["spec"]!["securityContext"]!;

        user.Should().Equal((long)pod["runAsUser"]!, (long)pod["runAsGroup"]!);
#if (SampleApi)
        Dockerfile.Load().Final.All("COPY").Single(copy => copy.Option("chown") is not null).Option("chown").Should().Be($"{user[0]}:{user[1]}",
            "the SQLite directory belongs to the user the service runs as");
#endif
    }

    [Theory]
    [InlineData("src/MonitoredService/Program.cs", false)]
    [InlineData("Directory.Packages.props", false)]
    [InlineData("src/MonitoredService/bin/Release/net10.0/MonitoredService.dll", true)]
    [InlineData("src/MonitoredService.Observability/obj/project.assets.json", true)]
#if (SampleApi)
    [InlineData("src/MonitoredService/data/items.db", true)]
    [InlineData("tests/MonitoredService.InProcess.Tests/Items/ItemsApiTests.cs", true)]
#endif
    [InlineData("README.md", true)]
    [InlineData(".git/config", true)]
    public void DockerignoreLetsThroughOnlyWhatTheBuildNeeds(string path, bool ignored)
    {
        Dockerfile.IsIgnored(path, Dockerfile.IgnorePatterns()).Should().Be(ignored);
    }

    [Fact]
    public void EveryFileTheBuildCopiesIsInTheContext()
    {
        var context = Dockerfile.Context();

        context.Should().Contain("src/MonitoredService/Program.cs").And.Contain("Directory.Build.props");
        context.Should().NotContain(file => file.Contains("/bin/") || file.Contains("/obj/") || file.StartsWith("tests/") || file.EndsWith(".db"));
        foreach (var copy in Dockerfile.Load()["build"].All("COPY"))
        {
            foreach (var source in copy.Operands[..^1])
            {
                context.Should().Contain(file => file == source || file.StartsWith(source.TrimEnd('/') + "/"), $"COPY {source} needs it in the build context");
            }
        }
    }

    [Fact]
    public async Task ReplayingTheBuildGivesAnImageThatServesAndPassesItsHealthCheck()
    {
        const string commit = "0123456789abcdef0123456789abcdef01234567";
        var dockerfile = Dockerfile.Load(new Dictionary<string, string> { ["COMMIT"] = commit });
        var root = Directory.CreateTempSubdirectory("monitoredservice-image-");
        try
        {
            var build = Path.Combine(root.FullName, "build");
            var runtime = Path.Combine(root.FullName, "runtime");
            await ReplayAsync(dockerfile["build"], build, from: null);
            await ReplayAsync(dockerfile.Final, runtime, from: build);
            var app = Path.Combine(runtime, dockerfile.Final.Single("WORKDIR").Arguments.TrimStart('/'));
            File.Exists(Path.Combine(app, "MonitoredService.dll")).Should().BeTrue();
#if (SampleApi)
            Directory.Exists(Path.Combine(app, "data")).Should().BeTrue("the SQLite store's directory is in the image");
#endif
            Directory.EnumerateFiles(app, "*.pdb").Should().NotBeEmpty("portable symbols make stack traces readable");
            Directory.EnumerateFiles(app).Select(Path.GetFileName).Should().NotContain(name => name!.EndsWith(".cs"));

            await RunImageAsync(dockerfile, app, commit);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    /// <summary>WORKDIR, COPY and RUN of a stage, with the image's absolute paths under <paramref name="filesystem"/>.</summary>
    private static async Task ReplayAsync(Dockerfile.Stage stage, string filesystem, string? from)
    {
        var workdir = filesystem;
        string Map(string path) => path.StartsWith('/') ? Path.Combine(filesystem, path.TrimStart('/')) : Path.Combine(workdir, path);
        foreach (var instruction in stage.Instructions)
        {
            switch (instruction.Keyword)
            {
                case "WORKDIR":
                    workdir = Map(instruction.Arguments);
                    Directory.CreateDirectory(workdir);
                    break;
                case "COPY":
                    var operands = instruction.Operands;
                    var origin = instruction.Option("from") is null ? Repository.Root : from!;
                    var destination = operands[^1];
                    foreach (var source in operands[..^1])
                    {
                        // Docker: a directory's contents go into the destination; a file goes into it when
                        // it ends with '/' (or there are several sources), else becomes it.
                        var sourcePath = Path.Combine(origin, source.TrimStart('/'));
                        var intoDirectory = Directory.Exists(sourcePath) || destination.EndsWith('/') || operands.Length > 2;
                        Copy(sourcePath, intoDirectory && !Directory.Exists(sourcePath)
                            ? Path.Combine(Map(destination), Path.GetFileName(sourcePath))
                            : Map(destination));
                    }

                    break;
                case "RUN":
                    var words = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(word => word.StartsWith('/') ? Map(word) : word).ToArray();
                    if (words[0] == "mkdir")
                    {
                        Directory.CreateDirectory(words[1]);
                        break;
                    }

                    words[0].Should().Be("dotnet", "the build stage runs only dotnet and mkdir");
                    var result = await Tools.RunAsync("dotnet", words[1..], workingDirectory: workdir);
                    result.ExitCode.Should().Be(0, $"RUN {instruction.Arguments}: {result.All}");
                    break;
            }
        }
    }

    private static void Copy(string source, string destination)
    {
        if (Directory.Exists(source))
        {
            var patterns = Dockerfile.IgnorePatterns();
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(Repository.Root, file).Replace('\\', '/');
                if (source.StartsWith(Repository.Root, StringComparison.Ordinal) && Dockerfile.IsIgnored(relative, patterns))
                {
                    continue; // not in the build context
                }

                var target = Path.Combine(destination, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }

            Directory.CreateDirectory(destination);
        }
        else
        {
            File.Exists(source).Should().BeTrue($"COPY {source}");
            if (source.StartsWith(Repository.Root, StringComparison.Ordinal))
            {
                var relative = Path.GetRelativePath(Repository.Root, source).Replace('\\', '/');
                Dockerfile.IsIgnored(relative, Dockerfile.IgnorePatterns()).Should().BeFalse($"COPY {relative}: .dockerignore keeps it out of the build context");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination, overwrite: true);
        }
    }

    /// <summary>The ENTRYPOINT as Docker runs it (ENV of the image, bound to loopback here), then the HEALTHCHECK.</summary>
    private static async Task RunImageAsync(Dockerfile dockerfile, string app, string commit)
    {
        var port = ServiceProcess.FreePort();
        var environment = dockerfile.Final.All("ENV").Select(env => env.Arguments.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
        environment["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var entrypoint = dockerfile.Final.Single("ENTRYPOINT").ExecForm();
        var start = new ProcessStartInfo(entrypoint[0]) { WorkingDirectory = app, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in entrypoint[1..].Append($"--urls=http://127.0.0.1:{port}"))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    return (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "the image's entrypoint should serve");
            var metrics = await Exposition.ScrapeAsync(client);
            metrics.Value("monitoredservice_build_info", ("commit", commit)).Should().Be(1, "the COMMIT build argument reaches build_info");

            var healthcheck = dockerfile.Final.Single("HEALTHCHECK").ExecForm();
            var check = await Tools.RunAsync(healthcheck[0], healthcheck[1..], environment: environment, workingDirectory: app);
            check.ExitCode.Should().Be(0, check.All);
            check.Output.Should().Contain("/health/ready answered 200");
        }
        finally
        {
            Signals.Send(process.Id, Signals.Terminate);
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(bound.Token);
        }
    }
}
