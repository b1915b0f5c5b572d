using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace MonitoredService.RealProcess.Tests.Template;

/// <summary>
/// The repository as a <c>dotnet new</c> template (<c>.template.config/template.json</c>): installed
/// from the working tree into a hive of the test's own, instantiated as <c>Orders.Api</c>. Every
/// derived name follows (namespaces and projects, the metric prefix, alert names, the job,
/// Kubernetes names, dashboards) and no trace of the template's own name is left in any case; the
/// instance then builds, passes its own fast tests and its artifacts' tests (promtool, amtool,
/// the manifests against the schemas, the signal contract under the new names) and, as a process,
/// serves /metrics under the new prefix.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class TemplateTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan SuiteBound = TimeSpan.FromMinutes(10);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("template-test-");

    [Fact]
    public async Task AnInstanceNamedOrdersApiCarriesItsOwnNamesEverywhereAndPassesItsOwnTests()
    {
        var instance = await InstantiateAsync("Orders.Api");

        Leftovers(instance).Should().BeEmpty("every form of the template's name follows the service's");
        foreach (var path in new[]
                 {
                     "Orders.Api.sln", "src/Orders.Api/Orders.Api.csproj", "src/Orders.Api.Observability/Orders.Api.Observability.csproj",
                     "alerts/orders-api.rules.yml", "alerts/tests/OrdersApiTargetDown.test.yml", "dashboards/orders-api-overview.json",
                 })
        {
            File.Exists(Path.Combine(instance, path)).Should().BeTrue($"{path} is named after the service");
        }

        var rules = await File.ReadAllTextAsync(Path.Combine(instance, "alerts", "orders-api.rules.yml"));
        rules.Should().Contain("alert: OrdersApiTargetDown").And.Contain("orders_api_").And.Contain("job=\"orders-api\"");
        var deployment = await File.ReadAllTextAsync(Path.Combine(instance, "deploy", "k8s", "base", "deployment.yaml"));
        deployment.Should().Contain("name: orders-api");

        // A user's first step after dotnet new; the build stamps the commit and its time.
        await Tools.CommitAllAsync(instance, output.WriteLine, "dotnet new monitoredservice");

        var fast = await RunAsync(instance, "bash", "tests/run.sh", "--fast");
        Summary(fast).Should().MatchRegex(@"^[1-9]\d* passed, 0 failed$", "the instance's own fast tests pass");
        var artifacts = await RunAsync(instance, "dotnet", "test", "tests/Orders.Api.Artifacts.Tests/Orders.Api.Artifacts.Tests.csproj", "--configuration", "Release", "--no-build");
        artifacts.Should().Contain("Passed!", "its rules (promtool), routes (amtool), manifests, dashboards and the signal contract hold under the new names");

        var port = ServiceProcess.FreePort();
        var data = Directory.CreateDirectory(Path.Combine(_work.FullName, "data")).FullName;
        var logPath = Path.Combine(_work.FullName, "orders-api.log");
        var binaries = Path.Combine(instance, "src", "Orders.Api", "bin", "Release", "net10.0");
        await using (var service = BackgroundProcess.Start(
                         "dotnet", [Path.Combine(binaries, "Orders.Api.dll"), $"--urls=http://127.0.0.1:{port}", $"--Store:Path={data}/items.db"], logPath, workingDirectory: binaries))
        {
            var address = new Uri($"http://127.0.0.1:{port}");
            await service.WaitUntilReadyAsync(new Uri(address, "/health/ready"));
            using var client = new HttpClient { BaseAddress = address };
            (await client.GetAsync("/api/items?limit=1")).EnsureSuccessStatusCode();
            var metrics = await client.GetStringAsync("/metrics");
            metrics.Should().Contain("orders_api_build_info").And.Contain("orders_api_health_probe_status");
            metrics.Split('\n').Where(line => AnyCase().IsMatch(line)).Should().BeEmpty("no metric, label or value keeps the template's name");
        }

        var log = await File.ReadAllTextAsync(logPath);
        log.Should().Contain("\"service.name\":\"orders-api\"");
        log.Split('\n').Where(line => AnyCase().IsMatch(line)).Should().BeEmpty("no log line keeps the template's name");
    }

    public void Dispose() => _work.Delete(recursive: true);

    /// <summary>Installs the template from the working tree into a hive of this test's own and makes an instance named <paramref name="name"/>.</summary>
    private async Task<string> InstantiateAsync(string name)
    {
        var hive = Path.Combine(_work.FullName, "hive");
        var instance = Path.Combine(_work.FullName, "instance");
        await RunAsync(_work.FullName, "dotnet", "new", "install", Repository.Root, "--debug:custom-hive", hive);
        await RunAsync(_work.FullName, "dotnet", "new", "monitoredservice", "--name", name, "--output", instance, "--debug:custom-hive", hive);
        return instance;
    }

    /// <summary>Paths, and lines of files, that still carry the template's name in any case (build output and git aside).</summary>
    private static IEnumerable<string> Leftovers(string instance)
    {
        foreach (var file in Directory.EnumerateFiles(instance, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(instance, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or ".git"))
            {
                continue;
            }

            if (AnyCase().IsMatch(relative))
            {
                yield return relative;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (AnyCase().IsMatch(lines[i]))
                {
                    yield return $"{relative}:{i + 1}: {lines[i].Trim()}";
                }
            }
        }
    }

    private static string Summary(string output) => output.TrimEnd().Split('\n')[^1].Trim();

    private Task<string> RunAsync(string directory, string tool, params string[] arguments) =>
        Tools.RunOrFailAsync(directory, output.WriteLine, SuiteBound, tool, arguments);

    [GeneratedRegex("monitored[-_. ]?service", RegexOptions.IgnoreCase)]
    private static partial Regex AnyCase();
}
