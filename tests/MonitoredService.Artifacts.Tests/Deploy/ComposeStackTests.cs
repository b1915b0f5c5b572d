using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace MonitoredService.Artifacts.Tests.Deploy;

/// <summary>
/// deploy/compose: no Docker engine runs here, so the stack is not started. docker-compose (v1, from
/// Debian) validates and resolves the file; each service's bind mounts are then laid out in a
/// directory as the container would see them, and the configurations are checked there by the real
/// tools (promtool, amtool) or against what they point at (Grafana's provisioning, service names).
/// </summary>
[Collection(ProcessCollection.Name)] // one test starts the service
public sealed class ComposeStackTests
{
    private static readonly Lazy<Task<JsonObject>> Resolved = new(ResolveAsync);

    [Fact]
    public async Task TheComposeFileIsValidAndRunsTheWholeStack()
    {
        var services = await ServicesAsync();

#if (WithPostgres)
        services.Select(s => s.Key).Should().BeEquivalentTo(
            ["monitoredservice", "postgres", "prometheus", "alertmanager", "grafana", "jaeger", "elasticsearch", "kibana", "fluent-bit",
                "postgres-exporter", "blackbox-exporter", "node-exporter", "elasticsearch-setup"]);
#else
        services.Select(s => s.Key).Should().BeEquivalentTo(
            ["monitoredservice", "prometheus", "alertmanager", "grafana", "jaeger", "elasticsearch", "kibana", "fluent-bit",
                "blackbox-exporter", "node-exporter", "elasticsearch-setup"]);
#endif
        ((string)services["monitoredservice"]!["build"]!["dockerfile"]!).Should().Be("deploy/Dockerfile");
        foreach (var (name, service) in services)
        {
            var image = (string)service!["image"]!;
            image.Should().MatchRegex(@":[\w.-]+$", $"{name} pins its image's version").And.NotEndWith(":latest");
        }
    }

    [Fact]
    public async Task TheServiceRunsAsInKubernetes()
    {
        var service = (await ServicesAsync())["monitoredservice"]!;
        var env = Environment(service);
#if (WithPostgres)
        var postgres = Environment((await ServicesAsync())["postgres"]!);
#endif
        var readme = File.ReadAllText(Repository.Path("README.md"));

        ((bool)service["read_only"]!).Should().BeTrue();
        service["tmpfs"]!.AsArray().Select(t => (string)t!).Should().Equal("/tmp");
        Seconds((string)service["stop_grace_period"]!).Should().BeGreaterThanOrEqualTo(5 + 15 + 5, "drain + shutdown timeout + trace flush (defaults)");
        env.Keys.Where(key => !key.StartsWith("OTEL_", StringComparison.Ordinal))
            .Should().OnlyContain(key => readme.Contains($"`{key.Replace("__", ":", StringComparison.Ordinal)}`"), "a misspelt key would be ignored");
#if (WithPostgres)
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(env["ConnectionStrings__Items"]);
        connection.Host.Should().Be("postgres");
        connection.Password.Should().Be(postgres["POSTGRES_PASSWORD"], "the service logs into the database compose creates");
        connection.Username.Should().Be(postgres["POSTGRES_USER"]);
        connection.Database.Should().Be(postgres["POSTGRES_DB"]);
        ((string)service["depends_on"]!["postgres"]!["condition"]!).Should().Be("service_healthy");
#elif (SqliteOnly)
        env.Should().NotContainKey("ConnectionStrings__Items");
        service["volumes"]!.ToJsonString().Should().Contain("/app/data", "the SQLite store outlives the container");
#endif
        new Uri(env["OTEL_EXPORTER_OTLP_ENDPOINT"]).Should().Be(new Uri("http://jaeger:4317"), "Jaeger all-in-one takes OTLP/gRPC on 4317");
        ((string)service["logging"]!["driver"]!).Should().Be("fluentd");
    }

#if (SampleApi && WithAuth)
    [Fact]
    public async Task TheApiTakesTokensSignedWithTheKeyFileComposeMountsAsASecret()
    {
        var resolved = await Resolved.Value;
        var service = (await ServicesAsync())["monitoredservice"]!;
        var env = Environment(service);
        var secret = service["secrets"]!.AsArray().Single()!;
        var name = secret is JsonObject entry ? (string)entry["source"]! : (string)secret!;
        var keyFile = (string)resolved["secrets"]![name]!["file"]!;

        env["Authentication__Jwt__SigningKeyFile"].Should().Be($"/run/secrets/{name}", "compose mounts a secret there");
        Convert.FromBase64String(File.ReadAllText(keyFile).Trim()).Length.Should().BeGreaterThanOrEqualTo(32);

        // The service as compose configures it (the key at the file's place here), and the token README's command mints.
        await using var process = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Authentication:Jwt:SigningKeyFile"] = keyFile,
            ["Authentication:Jwt:Audience"] = env["Authentication__Jwt__Audience"],
        });
        await process.WaitUntilReadyAsync();
        var readme = File.ReadAllText(Repository.Path("deploy", "compose", "secrets", "README.md"));
        readme.Should().Contain("mint-token.sh --key-file deploy/compose/secrets/jwt-signing-key --aud local-api --scope items:write");
        var minted = await Tools.RunAsync("bash", [Repository.Path("deploy", "scripts", "mint-token.sh"), "--key-file", keyFile, "--aud", "local-api", "--scope", "items:write"]);
        using var client = process.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/items");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", minted.Output.Trim());

        (await client.SendAsync(request)).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        (await client.GetAsync("/api/items")).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
    }
#endif

    /// <summary>
    /// The blackbox exporter as compose runs it: its very command (paths moved to where this test
    /// lays the container out, Debian's binary for the image's), the shipped modules where compose
    /// mounts them, the token file compose mounts as a secret (where the API takes tokens), probing the
    /// service as compose configures it. Both modules succeed; with a token the service refuses, the round trip fails.
    /// </summary>
    [Fact]
#if (WithAuth)
    public async Task TheBlackboxExporterProbesTheServiceWithTheTokenComposeMounts()
#else
    public async Task TheBlackboxExporterProbesTheServiceAsComposeRunsIt()
#endif
    {
#if (WithAuth)
        var resolved = await Resolved.Value;
#endif
        var services = await ServicesAsync();
        var blackbox = services["blackbox-exporter"]!;
        using var container = Container.Of(blackbox);
        File.ReadAllText(container.Path("/etc/blackbox/config/blackbox.yml")).Should().Be(File.ReadAllText(Exporter.BlackboxModulesPath));
#if (WithAuth)
        var env = Environment(services["monitoredservice"]!);
        blackbox["entrypoint"]!.AsArray().Select(e => (string)e!).Should().Equal("/bin/sh", "-c");
        // docker-compose v1 prints compose's escape ($$) as written; the shell gets one $.
        var command = ((string)blackbox["command"]!.AsArray().Single()!).Replace("$$", "$", StringComparison.Ordinal);
        var tokenFile = (string)resolved["secrets"]!["blackbox-token"]!["file"]!;
#else
        blackbox["entrypoint"].Should().BeNull("the image's entrypoint is the exporter");
        // exec: the shell becomes the exporter (as the image's entrypoint is), so that the test's signal reaches it.
        var command = "exec /bin/blackbox_exporter " + string.Join(' ', blackbox["command"]!.AsArray().Select(c => (string)c!));
#endif
        var port = ServiceProcess.FreePort();
        var script = command
#if (WithAuth)
            .Replace("/run/secrets/blackbox-token", tokenFile, StringComparison.Ordinal)
#endif
            .Replace("/etc/blackbox/config/blackbox.yml", container.Path("/etc/blackbox/config/blackbox.yml"), StringComparison.Ordinal)
            .Replace("/tmp/blackbox.yml", container.Path("/tmp/blackbox.yml"), StringComparison.Ordinal)
            .Replace("/bin/blackbox_exporter", "prometheus-blackbox-exporter", StringComparison.Ordinal)
            .Replace("--web.listen-address=:9115", $"--web.listen-address=127.0.0.1:{port}", StringComparison.Ordinal);
        script.Should().NotBe(command, "the command names the paths this test moves");
        Directory.CreateDirectory(container.Path("/tmp"));

#if (WithAuth)
        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Authentication:Jwt:SigningKeyFile"] = (string)resolved["secrets"]!["jwt-signing-key"]!["file"]!,
            ["Authentication:Jwt:Audience"] = env["Authentication__Jwt__Audience"],
        });
#else
        await using var service = ServiceProcess.Start();
#endif
        await service.WaitUntilReadyAsync();
        await using (var exporter = BackgroundProcess.Start("/bin/sh", ["-c", script], container.Path("/tmp/blackbox-exporter.log")))
        {
            await exporter.WaitUntilReadyAsync(new Uri($"http://127.0.0.1:{port}/-/healthy"));
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
#if (SampleApi && WithAuth)
            File.ReadAllText(container.Path("/tmp/blackbox.yml")).Should().Contain(File.ReadAllText(tokenFile).Trim()).And.NotContain(Exporter.TokenPlaceholder);
#endif
#if (SampleApi)
            (await client.GetStringAsync($"http://127.0.0.1:{port}/probe?module=monitoredservice_api&target=127.0.0.1:{service.BaseAddress.Port}"))
                .Should().Contain("probe_success 1", "the round trip passes (with a token: the committed one is signed with the committed key, for the audience and scope the API needs)");
#endif
            (await client.GetStringAsync($"http://127.0.0.1:{port}/probe?module=monitoredservice_ready&target={Uri.EscapeDataString($"{service.BaseAddress}health/ready")}"))
                .Should().Contain("probe_success 1");
        }

#if (SampleApi && WithAuth)
        var directory = Directory.CreateTempSubdirectory("monitoredservice-blackbox-");
        try
        {
            await using var stranger = await Exporter.StartBlackboxAsync("not-a-token", directory);
            (await stranger.ProbeAsync("monitoredservice_api", $"127.0.0.1:{service.BaseAddress.Port}"))
                .Should().Contain("probe_success 0", "a refused token fails the round trip");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
#endif
    }

    [Fact]
    public async Task PrometheusScrapesEachAddOnWhereComposeRunsIt()
    {
        var config = Yaml(File.ReadAllText(Repository.Path("deploy", "compose", "prometheus", "prometheus.yml")));
        var jobs = config["scrape_configs"]!.AsArray().ToDictionary(j => (string)j!["job_name"]!, j => j!.AsObject());
        var services = await ServicesAsync();
        string[] Targets(string job) => jobs[job]["static_configs"]!.AsArray().SelectMany(c => c!["targets"]!.AsArray().Select(t => (string)t!)).ToArray();

#if (WithPostgres)
        Targets("monitoredservice-postgres").Should().Equal("postgres-exporter:9187");
#endif
        Targets("node").Should().Equal("node-exporter:9100");
        Targets("fluent-bit").Should().Equal("fluent-bit:2020");
        ((string)jobs["fluent-bit"]["metrics_path"]!).Should().Be("/api/v2/metrics/prometheus", "the v2 endpoint has the buffer's capacity");
        File.ReadAllText(Repository.Path("deploy", "compose", "fluent-bit", "fluent-bit.conf")).Should().Contain("HTTP_Port     2020").And.Contain("storage.total_limit_size");
        var blackbox = jobs["monitoredservice-blackbox"];
        ((string)blackbox["metrics_path"]!).Should().Be("/probe");
        blackbox["relabel_configs"]!.AsArray().Should().Contain(r => (string)r!["replacement"]! == "blackbox-exporter:9115");
        blackbox["static_configs"]!.AsArray().Select(c => ((string)c!["labels"]!["module"]!, (string)c["labels"]!["__param_module"]!, (string)c["targets"]![0]!))
#if (SampleApi)
            .Should().BeEquivalentTo([("ready", "monitoredservice_ready", "http://monitoredservice:8080/health/ready"), ("api", "monitoredservice_api", "monitoredservice:8080")]);
#else
            .Should().BeEquivalentTo([("ready", "monitoredservice_ready", "http://monitoredservice:8080/health/ready")]);
#endif
        ((long)services["monitoredservice"]!["ports"]![0]!["target"]!).Should().Be(8080, "the probes use the API port");
#if (WithPostgres)
        var postgres = Environment(services["postgres-exporter"]!);
        postgres["DATA_SOURCE_URI"].Should().StartWith("postgres:5432/" + Environment(services["postgres"]!)["POSTGRES_DB"]);
        postgres["DATA_SOURCE_PASS"].Should().Be(Environment(services["postgres"]!)["POSTGRES_PASSWORD"]);
#endif
    }

    [Fact]
    public async Task PrometheusLoadsOurRulesFromWhereComposeMountsThem()
    {
        var prometheus = (await ServicesAsync())["prometheus"]!;
        using var container = Container.Of(prometheus);
        var config = Option(prometheus, "--config.file");

        var check = await Tools.RunAsync("promtool", ["check", "config", container.Path(config)]);

        check.ExitCode.Should().Be(0, check.All);
        check.All.Should().Contain($"SUCCESS: {RuleFiles.Rules.Count} rules found");
        Option(prometheus, "--enable-feature").Should().Be("exemplar-storage", "latency panels link exemplars to traces");
        Option(prometheus, "--storage.tsdb.retention.time").Should().Be("31d", "the SLOs are computed over 30 days");
        Option(prometheus, "--storage.tsdb.retention.size").Should().Be("5GB");
        var labels = Yaml(File.ReadAllText(container.Path(config)))["global"]!["external_labels"]!.AsObject();
        labels.Select(pair => pair.Key).Should().BeEquivalentTo(["cluster", "environment"]);
        RuleFiles.Rules.Should().NotContain(rule => rule.Expr.Contains("cluster=") || rule.Expr.Contains("environment="), "the rules select on job, whatever cluster runs them");
    }

    [Fact]
    public async Task PrometheusScrapesTheServiceUnderItsJobNameAndSendsAlertsToAlertmanager()
    {
        var services = await ServicesAsync();
        var config = Yaml(File.ReadAllText(Repository.Path("deploy", "compose", "prometheus", "prometheus.yml")));
        var metricsPort = Environment(services["monitoredservice"]!)["Observability__Metrics__Port"];

        var job = config["scrape_configs"]!.AsArray().Single(j => (string)j!["job_name"]! == "monitoredservice")!;
        job["static_configs"]![0]!["targets"]!.AsArray().Select(t => (string)t!).Should().Equal($"monitoredservice:{metricsPort}");
        config["alerting"]!["alertmanagers"]![0]!["static_configs"]![0]!["targets"]!.AsArray().Select(t => (string)t!)
            .Should().Equal("alertmanager:9093");
    }

    [Fact]
    public async Task AlertmanagerRunsTheRealRoutingWithItsSecretFilesInPlace()
    {
        var alertmanager = (await ServicesAsync())["alertmanager"]!;
        using var container = Container.Of(alertmanager);
        var config = container.Path(Option(alertmanager, "--config.file"));
        var text = File.ReadAllText(config);

        text.Should().Be(File.ReadAllText(Repository.Path("alerts", "alertmanager.yml")), "the local stack routes like production");
        var secretFiles = System.Text.RegularExpressions.Regex.Matches(text, @"_file:\s*(\S+)").Select(m => m.Groups[1].Value).ToArray();
        secretFiles.Should().NotBeEmpty();
        foreach (var file in secretFiles)
        {
            File.Exists(container.Path(file)).Should().BeTrue($"{file} should be mounted");
        }

        var check = await Tools.RunAsync("amtool", ["check-config", config]);
        check.ExitCode.Should().Be(0, check.All);
    }

    [Fact]
    public async Task GrafanaProvisionsEveryDashboardAndDataSourcesThatAreServicesOfTheStack()
    {
        var services = await ServicesAsync();
        using var container = Container.Of(services["grafana"]!);
        var providers = Directory.GetFiles(container.Path("/etc/grafana/provisioning/dashboards"), "*.yml")
            .SelectMany(file => Yaml(File.ReadAllText(file))["providers"]!.AsArray()).ToArray();
        var sources = Directory.GetFiles(container.Path("/etc/grafana/provisioning/datasources"), "*.yml")
            .SelectMany(file => Yaml(File.ReadAllText(file))["datasources"]!.AsArray()).ToArray();

        var provided = providers.SelectMany(p => Directory.GetFiles(container.Path((string)p!["options"]!["path"]!), "*.json")).Select(Path.GetFileName);
        provided.Should().BeEquivalentTo(DashboardFiles.Paths.Select(Path.GetFileName));
        sources.Should().NotBeEmpty();
        foreach (var source in sources)
        {
            var url = new Uri((string)source!["url"]!);
            services.Select(s => s.Key).Should().Contain(url.Host, $"data source {source["name"]} points at a service of the stack");
        }
    }

    [Fact]
    public async Task TheLogStoreSetupRunsTheKubernetesJobsScriptAndFiles()
    {
        var setup = (await ServicesAsync())["elasticsearch-setup"]!;
        using var container = Container.Of(setup);
        var command = setup["command"]!.AsArray().Select(c => (string)c!).ToArray();
        var job = await Manifests.SingleAsync(Manifests.ElasticsearchSetup, "Job");
        var jobContainer = job["spec"]!["template"]!["spec"]!["containers"]![0]!;

        command.Should().Equal(jobContainer["command"]!.AsArray().Select(c => (string)c!), "the same script, at the same path");
        ((string)setup["image"]!).Should().Be((string)jobContainer["image"]!);
        foreach (var file in Directory.GetFiles(Repository.Path(Manifests.ElasticsearchSetup)).Where(f => !f.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            File.ReadAllText(container.Path($"/setup/{Path.GetFileName(file)}")).Should().Be(File.ReadAllText(file));
        }

        ((string)setup["restart"]!).Should().Be("no", "a one-shot");
        ((string)setup["environment"]!["KIBANA_URL"]!).Should().Be("http://kibana:5601");
    }

    [Fact]
    public async Task FluentBitFindsItsParsersBesideItsConfiguration()
    {
        var fluentBit = (await ServicesAsync())["fluent-bit"]!;
        using var container = Container.Of(fluentBit);
        var command = fluentBit["command"]!.AsArray().Select(c => (string)c!).ToArray();
        var config = command[Array.IndexOf(command, "-c") + 1];

        File.Exists(container.Path(config)).Should().BeTrue();
        File.Exists(Path.Combine(Path.GetDirectoryName(container.Path(config))!, "parsers.conf")).Should().BeTrue("Parsers_File is relative to the configuration");
        fluentBit["ports"]!.AsArray().Select(p => (string)p!).Should().Equal(["127.0.0.1:24224:24224/tcp"],
            "the Docker daemon delivers logs from the host; nobody else needs the port");
    }

    private static async Task<JsonObject> ServicesAsync() => (await Resolved.Value)["services"]!.AsObject();

    private static async Task<JsonObject> ResolveAsync()
    {
        var file = Repository.Path("deploy", "compose", "compose.yaml");
        var quiet = await Tools.RunAsync("docker-compose", ["--file", file, "config", "--quiet"]);
        quiet.ExitCode.Should().Be(0, quiet.All);
        var resolved = await Tools.RunAsync("docker-compose", ["--file", file, "config"]);
        resolved.ExitCode.Should().Be(0, resolved.All);
        return Yaml(resolved.Output);
    }

    private static JsonObject Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return Manifests.ToJson(stream.Documents[0].RootNode)!.AsObject();
    }

    private static Dictionary<string, string> Environment(JsonNode service) =>
        service["environment"]!.AsObject().ToDictionary(pair => pair.Key, pair => pair.Value!.ToString());

    /// <summary>The value of a <c>--name=value</c> command-line option of a service.</summary>
    private static string Option(JsonNode service, string name) =>
        service["command"]!.AsArray().Select(c => (string)c!).Single(c => c.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    private static int Seconds(string duration) =>
        duration.EndsWith('s') ? int.Parse(duration[..^1], CultureInfo.InvariantCulture) : throw new FormatException(duration);

    /// <summary>A service's bind mounts laid out under a temporary root, at their container paths.</summary>
    private sealed class Container : IDisposable
    {
        private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("monitoredservice-container-");

        public static Container Of(JsonNode service)
        {
            var container = new Container();
            foreach (var volume in service["volumes"]!.AsArray().Select(v => (string)v!))
            {
                var parts = volume.Split(':');
                if (!parts[0].StartsWith('/'))
                {
                    continue; // a named volume: empty at first
                }

                var target = container.Path(parts[1]);
                if (Directory.Exists(parts[0]))
                {
                    CopyDirectory(parts[0], target);
                }
                else
                {
                    File.Exists(parts[0]).Should().BeTrue($"the bind mount source {parts[0]} exists");
                    Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
                    File.Copy(parts[0], target);
                }
            }

            return container;
        }

        /// <summary>Where a path of the container is in this layout.</summary>
        public string Path(string containerPath) => System.IO.Path.Combine(_root.FullName, containerPath.TrimStart('/'));

        public void Dispose() => _root.Delete(recursive: true);

        private static void CopyDirectory(string source, string target)
        {
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var destination = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(source, file));
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }
        }
    }
}
