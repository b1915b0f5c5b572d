using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace MonitoredService.RealProcess.Tests.Template;

/// <summary>
/// The repository as a <c>dotnet new</c> template (<c>.template.config/template.json</c>): installed
/// from the working tree into a hive of the test's own, instantiated as <c>Orders.Api</c> (default
/// options), as <c>Billing</c> on SQLite only and without authentication (<c>--store sqlite --auth
/// false</c>) and as <c>Ledger</c> without the sample API (<c>--sample-api false</c>). Every
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

        foreach (var path in new[]
                 {
                     "Orders.Api.sln", "src/Orders.Api/Orders.Api.csproj", "src/Orders.Api.Observability/Orders.Api.Observability.csproj",
                     "alerts/orders-api.rules.yml", "alerts/tests/OrdersApiTargetDown.test.yml", "dashboards/orders-api-overview.json",
                     "dashboards/orders-api-postgresql.json", "deploy/k8s/addons/postgres-exporter/kustomization.yaml",
                 })
        {
            File.Exists(Path.Combine(instance, path)).Should().BeTrue($"{path} is named after the service (PostgreSQL is the default store option)");
        }

        var rules = await File.ReadAllTextAsync(Path.Combine(instance, "alerts", "orders-api.rules.yml"));
        rules.Should().Contain("alert: OrdersApiTargetDown").And.Contain("orders_api_").And.Contain("job=\"orders-api\"").And.Contain("alert: OrdersApiPostgresDown");
        var deployment = await File.ReadAllTextAsync(Path.Combine(instance, "deploy", "k8s", "base", "deployment.yaml"));
        deployment.Should().Contain("name: orders-api");

        NoTraceOfTheTemplate(instance);

        await OwnSuitesPassAsync(instance, "Orders.Api", "dotnet new monitoredservice", fast: true);
        var (items, metrics, log) = await ServeAsync(instance, "Orders.Api", "orders-api");
        items.IsSuccessStatusCode.Should().BeTrue("the sample API answers on its store");
        metrics.Should().Contain("orders_api_build_info").And.Contain("orders_api_health_probe_status").And.Contain("orders_api_auth_failures_total");
        log.Should().Contain("\"service.name\":\"orders-api\"").And.Contain("The API is open", "in Production, an API that takes tokens but has none configured says so");
    }

    /// <summary>
    /// The store option, SQLite only, and the authentication option, off. Nothing of PostgreSQL or of
    /// bearer tokens is left, and what remains still holds together and serves.
    /// </summary>
    [Fact]
    public async Task AnInstanceOnSqliteOnlyWithoutAuthenticationHasNothingOfEitherAndPassesItsOwnTests()
    {
        var instance = await InstantiateAsync("Billing", "--store", "sqlite", "--auth", "false");

        Files(instance).Where(path => path.Contains("postgres", StringComparison.OrdinalIgnoreCase))
            .Should().BeEmpty("the PostgreSQL store, its alerts, runbooks, dashboard and exporter add-on go with the option");
        Files(instance).Where(path => path.EndsWith("proj", StringComparison.Ordinal) || path.EndsWith(".props", StringComparison.Ordinal))
            .Where(path => File.ReadAllText(Path.Combine(instance, path)).Contains("Npgsql", StringComparison.Ordinal) && path != "Directory.Packages.props")
            .Should().BeEmpty("no project references the PostgreSQL driver");
        File.ReadAllText(Path.Combine(instance, "Directory.Build.props")).Should().NotContain("WithPostgres");
        Directory.Exists(Path.Combine(instance, "deploy", "k8s", "overlays")).Should().BeFalse("the base itself is the one replica on SQLite");
        var kustomization = await File.ReadAllTextAsync(Path.Combine(instance, "deploy", "k8s", "base", "kustomization.yaml"));
        kustomization.Should().Contain("- persistentvolumeclaim.yaml").And.Contain("Store__Provider=Sqlite").And.NotContain("horizontalpodautoscaler");
        var rules = await File.ReadAllTextAsync(Path.Combine(instance, "alerts", "billing.rules.yml"));
        rules.Should().Contain("alert: BillingStoreVolumeLow").And.NotContain("Postgres").And.NotContain("db_client_connections")
            .And.NotContain("AuthFailure").And.NotContain("auth_failures");
        Files(instance).Where(path => path.Contains("token", StringComparison.OrdinalIgnoreCase) || path.Contains("authentication", StringComparison.OrdinalIgnoreCase)
                || path.Contains("Jwt", StringComparison.Ordinal) || path.StartsWith(Path.Combine("deploy", "compose", "secrets"), StringComparison.Ordinal))
            .Should().BeEmpty("the JWT code, its tests, the alert's test and runbook, the dashboard, the saved search, mint-token.sh and the compose secrets go with the option");
        Files(instance).Where(path => path.StartsWith("src", StringComparison.Ordinal) || path.StartsWith("deploy", StringComparison.Ordinal) || path.EndsWith("proj", StringComparison.Ordinal))
            .Where(path => Regex.IsMatch(File.ReadAllText(Path.Combine(instance, path)), "Jwt|TOKEN@|auth_failures"))
            .Should().BeEmpty("no code, package, setting or manifest of bearer tokens is left");
        NoTraceOfTheTemplate(instance);

        // What the options change is in the artifacts and in the compiled code; the fast suites are the
        // other instances' (the test command stays under about 20 minutes).
        await OwnSuitesPassAsync(instance, "Billing", "dotnet new monitoredservice --store sqlite --auth false", fast: false);
        var (items, metrics, log) = await ServeAsync(instance, "Billing", "billing");
        items.IsSuccessStatusCode.Should().BeTrue("the sample API answers on SQLite");
        metrics.Should().Contain("billing_requests_rejected_total", "the limits stay").And.NotContain("billing_auth_failures_total");
        log.Should().Contain("\"service.name\":\"billing\"").And.NotContain("The API is open", "an instance without authentication does not warn about it");
    }

    /// <summary>
    /// The minimal service (<c>--sample-api false</c>): no sample API and no store. Nothing of either is
    /// left (code, tests, alerts, panels, volumes, the blackbox round trip, the benchmark), and what
    /// remains passes its own tests and serves.
    /// </summary>
    [Fact]
    public async Task AMinimalInstanceWithoutTheSampleApiHasNothingOfItAndPassesItsOwnTests()
    {
        var instance = await InstantiateAsync("Ledger", "--sample-api", "false");

        Files(instance).Where(path => path.Contains("Items", StringComparison.Ordinal) || path.Contains("postgres", StringComparison.OrdinalIgnoreCase)
                || path.Contains("StoreVolume", StringComparison.Ordinal) || path.Contains("Bench", StringComparison.Ordinal) || path.Contains("overlays", StringComparison.Ordinal))
            .Should().BeEmpty("the sample API, its stores, their alerts, runbooks, dashboards, volumes and the load harness go with the option");
        Files(instance).Where(path => path.EndsWith("proj", StringComparison.Ordinal))
            .Where(path => File.ReadAllText(Path.Combine(instance, path)).Contains("Sqlite", StringComparison.Ordinal))
            .Should().BeEmpty("no project references a store's driver");
        (await File.ReadAllTextAsync(Path.Combine(instance, "src", "Ledger", "Program.cs"))).Should().NotContain("Item").And.Contain("app.MapObservabilityEndpoints();");
        var kustomization = await File.ReadAllTextAsync(Path.Combine(instance, "deploy", "k8s", "base", "kustomization.yaml"));
        kustomization.Should().NotContain("Store__").And.Contain("- horizontalpodautoscaler.yaml", "a service without a store scales out");
        (await File.ReadAllTextAsync(Path.Combine(instance, "deploy", "k8s", "addons", "blackbox-exporter", "blackbox.yml"))).Should().NotContain("/api/");
        NoTraceOfTheTemplate(instance);

        await OwnSuitesPassAsync(instance, "Ledger", "dotnet new monitoredservice --sample-api false", fast: true);
        var (items, metrics, log) = await ServeAsync(instance, "Ledger", "ledger");
        items.StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound, "there is no sample API");
        metrics.Should().Contain("ledger_build_info").And.Contain("ledger_health_probe_status").And.NotContain("ledger_store_").And.NotContain("ledger_items_");
        log.Should().Contain("\"service.name\":\"ledger\"");
    }

    /// <summary>No trace of the template's name in any case, and no conditional of its options left unresolved.</summary>
    private static void NoTraceOfTheTemplate(string instance)
    {
        Leftovers(instance).Should().BeEmpty("every form of the template's name follows the service's");
        Directives(instance).Should().BeEmpty("every conditional of the template's options is resolved");
    }

    /// <summary>
    /// A user's first step after dotnet new (a commit: the build stamps it and its time), then the
    /// instance's own fast suites (or only its build) and its artifacts' tests.
    /// </summary>
    private async Task OwnSuitesPassAsync(string instance, string name, string commitMessage, bool fast)
    {
        await Tools.CommitAllAsync(instance, output.WriteLine, commitMessage);
        if (fast)
        {
            var suites = await RunAsync(instance, "bash", "tests/run.sh", "--fast");
            Summary(suites).Should().MatchRegex(@"^[1-9]\d* passed, 0 failed$", "the instance's own fast tests pass");
        }
        else
        {
            await RunAsync(instance, "dotnet", "build", $"{name}.sln", "--configuration", "Release");
        }

        var artifacts = await RunAsync(instance, "dotnet", "test", $"tests/{name}.Artifacts.Tests/{name}.Artifacts.Tests.csproj", "--configuration", "Release", "--no-build");
        artifacts.Should().Contain("Passed!", "its rules (promtool), routes (amtool), manifests, dashboards and the signal contract hold under its names and options");
    }

    /// <summary>
    /// The built instance as a process in its own output folder: what <c>/api/items</c> answers, its
    /// <c>/metrics</c> and its log, none of which keeps the template's name.
    /// </summary>
    private async Task<(HttpResponseMessage Items, string Metrics, string Log)> ServeAsync(string instance, string name, string kebab)
    {
        var port = ServiceProcess.FreePort();
        var data = Directory.CreateDirectory(Path.Combine(_work.FullName, $"data-{kebab}")).FullName;
        var logPath = Path.Combine(_work.FullName, $"{kebab}.log");
        var binaries = Path.Combine(instance, "src", name, "bin", "Release", "net10.0");
        HttpResponseMessage items;
        string metrics;
        await using (var service = BackgroundProcess.Start(
                         "dotnet", [Path.Combine(binaries, $"{name}.dll"), $"--urls=http://127.0.0.1:{port}", $"--Store:Path={data}/items.db"], logPath, workingDirectory: binaries))
        {
            var address = new Uri($"http://127.0.0.1:{port}");
            await service.WaitUntilReadyAsync(new Uri(address, "/health/ready"));
            using var client = new HttpClient { BaseAddress = address };
            items = await client.GetAsync("/api/items?limit=1");
            metrics = await client.GetStringAsync("/metrics");
        }

        var log = await File.ReadAllTextAsync(logPath);
        metrics.Split('\n').Where(line => AnyCase().IsMatch(line)).Should().BeEmpty("no metric, label or value keeps the template's name");
        log.Split('\n').Where(line => AnyCase().IsMatch(line)).Should().BeEmpty("no log line keeps the template's name");
        return (items, metrics, log);
    }

    public void Dispose() => _work.Delete(recursive: true);

    /// <summary>Installs the template from the working tree into a hive of this test's own and makes an instance named <paramref name="name"/>.</summary>
    private async Task<string> InstantiateAsync(string name, params string[] options)
    {
        var hive = Path.Combine(_work.FullName, "hive");
        var instance = Path.Combine(_work.FullName, "instance");
        await RunAsync(_work.FullName, "dotnet", "new", "install", Repository.Root, "--debug:custom-hive", hive);
        await RunAsync(_work.FullName, "dotnet", ["new", "monitoredservice", "--name", name, "--output", instance, "--debug:custom-hive", hive, .. options]);
        return instance;
    }

    /// <summary>The instance's files, relative, build output and git aside.</summary>
    private static IEnumerable<string> Files(string instance) =>
        Directory.EnumerateFiles(instance, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(instance, file))
            .Where(relative => !relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or ".git"));

    /// <summary>Lines that still hold a conditional of the template (#if, #else, #endif in any comment style).</summary>
    private static IEnumerable<string> Directives(string instance) =>
        Files(instance).SelectMany(relative => File.ReadLines(Path.Combine(instance, relative))
            .Select((line, i) => (line, i))
            .Where(x => Directive().IsMatch(x.line))
            .Select(x => $"{relative}:{x.i + 1}: {x.line.Trim()}"));

    /// <summary>Paths, and lines of files, that still carry the template's name in any case (build output and git aside).</summary>
    private static IEnumerable<string> Leftovers(string instance)
    {
        foreach (var relative in Files(instance))
        {
            if (AnyCase().IsMatch(relative))
            {
                yield return relative;
            }

            var lines = File.ReadAllLines(Path.Combine(instance, relative));
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

    [GeneratedRegex(@"^\s*(#|//|<!--)*#(if|else|elseif|elif|endif)\b")]
    private static partial Regex Directive();
}
