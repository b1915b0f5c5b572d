using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace MonitoredService.RealProcess.Tests.EndToEnd;

/// <summary>
/// Debian's Prometheus 2.42 and Alertmanager 0.25 as real processes on 127.0.0.1 (free ports, a
/// temporary directory): Prometheus scrapes one target as job <c>monitoredservice</c> every second
/// and evaluates a copy of our rules every second; Alertmanager runs our routing and inhibition with
/// every receiver pointed at a webhook this test owns. The shipped files are never changed: the
/// copies differ only where <see cref="TestRules"/> and <see cref="TestAlertmanagerConfig"/> say.
/// </summary>
public sealed partial class MonitoringStack : IAsyncDisposable
{
    /// <summary>An alert's <c>for:</c> in the test copy (5 minutes or more shipped): long enough to see it pending, short enough for a test.</summary>
    public static readonly TimeSpan For = TimeSpan.FromSeconds(8);

    /// <summary>
    /// The test copy's <c>for:</c> of an alert that waits less than 5 minutes shipped. The order is
    /// kept because inhibitions count on it: MonitoredServicePostgresDown (1m) names the cause
    /// before the readiness symptoms (5m) fire, so they are never sent; with one duration for all,
    /// a symptom was sometimes sent first.
    /// </summary>
    public static readonly TimeSpan ShortFor = TimeSpan.FromSeconds(4);

    /// <summary>The test copy's <c>for:</c> for a shipped one (<c>1m</c>, <c>5m</c>, <c>1h</c>).</summary>
    public static TimeSpan TestFor(string shipped)
    {
        var amount = int.Parse(shipped[..^1], System.Globalization.CultureInfo.InvariantCulture);
        var duration = shipped[^1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => throw new FormatException($"for: {shipped}"),
        };
        return duration < TimeSpan.FromMinutes(5) ? ShortFor : For;
    }

    private readonly DirectoryInfo _directory;
    private readonly BackgroundProcess _prometheus;
    private readonly BackgroundProcess _alertmanager;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };

    private MonitoringStack(DirectoryInfo directory, BackgroundProcess prometheus, BackgroundProcess alertmanager, WebhookReceiver webhook, SmtpSink mail, Uri prometheusUrl, Uri alertmanagerUrl)
    {
        Mail = mail;
        _directory = directory;
        _prometheus = prometheus;
        _alertmanager = alertmanager;
        Webhook = webhook;
        PrometheusUrl = prometheusUrl;
        AlertmanagerUrl = alertmanagerUrl;
    }

    public WebhookReceiver Webhook { get; }

    /// <summary>The SMTP server Alertmanager's email receivers send to.</summary>
    public SmtpSink Mail { get; }

    public Uri PrometheusUrl { get; }

    public Uri AlertmanagerUrl { get; }

    public IEnumerable<string> LogPaths => [_prometheus.LogPath, _alertmanager.LogPath, Mail.LogPath];

    /// <summary>Where this test runs the add-ons' exporters, and the service's address "from outside" (what the blackbox probes).</summary>
    public sealed record AddOns(string PostgresExporter, string BlackboxExporter, string NodeExporter, string ServiceFromOutside);

    public static Task<MonitoringStack> StartAsync(int servicePort) => StartAsync([servicePort], addOns: null);

    /// <summary>
    /// A stack scraping <paramref name="servicePorts"/> as job monitoredservice, and with
    /// <paramref name="addOns"/> the add-ons' jobs as the shipped compose configuration defines them
    /// (<see cref="AddOnScrapeJobs"/>).
    /// </summary>
    public static async Task<MonitoringStack> StartAsync(IReadOnlyList<int> servicePorts, AddOns? addOns)
    {
        var directory = Directory.CreateTempSubdirectory("monitoredservice-e2e-");
        var webhook = new WebhookReceiver();
        var mail = await SmtpSink.StartAsync(directory);
        var prometheusPort = ServiceProcess.FreePort();
        var alertmanagerPort = ServiceProcess.FreePort();

        await File.WriteAllTextAsync(Path.Combine(directory.FullName, "rules.yml"), TestRules());
        var smtpPassword = Path.Combine(directory.FullName, "smtp-password");
        await File.WriteAllTextAsync(smtpPassword, "test-only");
        await File.WriteAllTextAsync(Path.Combine(directory.FullName, "alertmanager.yml"), TestAlertmanagerConfig(webhook.Address, mail.Address, smtpPassword));
        await File.WriteAllTextAsync(Path.Combine(directory.FullName, "prometheus.yml"), $$"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            rule_files: [rules.yml]
            alerting:
              alertmanagers:
                - static_configs: [{ targets: ["127.0.0.1:{{alertmanagerPort}}"] }]
            scrape_configs:
              - job_name: monitoredservice
                static_configs: [{ targets: [{{string.Join(", ", servicePorts.Select(port => $"\"127.0.0.1:{port}\""))}}] }]
            {{(addOns is null ? "" : AddOnScrapeJobs(addOns))}}
            """);

        var alertmanager = BackgroundProcess.Start("prometheus-alertmanager",
        [
            $"--config.file={Path.Combine(directory.FullName, "alertmanager.yml")}",
            $"--storage.path={Path.Combine(directory.FullName, "alertmanager-data")}",
            $"--web.listen-address=127.0.0.1:{alertmanagerPort}",
            "--cluster.listen-address=", // no gossip port on 0.0.0.0
        ], Path.Combine(directory.FullName, "alertmanager.log"));
        var prometheus = BackgroundProcess.Start("prometheus",
        [
            $"--config.file={Path.Combine(directory.FullName, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(directory.FullName, "prometheus-data")}",
            $"--web.listen-address=127.0.0.1:{prometheusPort}",
            "--enable-feature=exemplar-storage",
        ], Path.Combine(directory.FullName, "prometheus.log"));
        var stack = new MonitoringStack(directory, prometheus, alertmanager, webhook, mail,
            new Uri($"http://127.0.0.1:{prometheusPort}"), new Uri($"http://127.0.0.1:{alertmanagerPort}"));
        await alertmanager.WaitUntilReadyAsync(new Uri(stack.AlertmanagerUrl, "/-/ready"));
        await prometheus.WaitUntilReadyAsync(new Uri(stack.PrometheusUrl, "/-/ready"));
        return stack;
    }

    /// <summary>
    /// The add-ons' scrape jobs of deploy/compose/prometheus/prometheus.yml (postgres_exporter, the
    /// blackbox exporter's two modules with their relabelling, node_exporter), with the compose
    /// services' addresses replaced by this test's and a 2 s interval and timeout (postgres_exporter
    /// takes a second to give up on a stopped server; the shipped 10 s timeout covers it); Fluent
    /// Bit's job is left out (Fluent Bit is not installable here).
    /// </summary>
    public static string AddOnScrapeJobs(AddOns addOns)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Repository.Path("deploy", "compose", "prometheus", "prometheus.yml"))));
        var jobs = ((YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode)["scrape_configs"]).Children.Cast<YamlMappingNode>()
            .Where(job => job["job_name"].ToString() is "monitoredservice-postgres" or "monitoredservice-blackbox" or "node")
            .ToArray();
        jobs.Should().HaveCount(3, "the shipped configuration scrapes the three exporters");
        foreach (var job in jobs)
        {
            job.Children[new YamlScalarNode("scrape_interval")] = new YamlScalarNode("2s");
            job.Children[new YamlScalarNode("scrape_timeout")] = new YamlScalarNode("2s");
        }

        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(new YamlSequenceNode(jobs))).Save(writer, assignAnchors: false);
        var text = writer.ToString()
            .Replace("postgres-exporter:9187", addOns.PostgresExporter, StringComparison.Ordinal)
            .Replace("blackbox-exporter:9115", addOns.BlackboxExporter, StringComparison.Ordinal)
            .Replace("node-exporter:9100", addOns.NodeExporter, StringComparison.Ordinal)
            .Replace("monitoredservice:8080", addOns.ServiceFromOutside, StringComparison.Ordinal);
        return string.Join("\n", text.Split('\n').Where(line => line.Trim() is not ("..." or "")).Select(line => "  " + line));
    }

    /// <summary>
    /// Every query of every panel of <paramref name="dashboards"/> (those that <paramref name="include"/>)
    /// evaluates against this Prometheus; the titles of the panels without any series.
    /// </summary>
    public async Task<IReadOnlyList<string>> PanelsWithoutDataAsync(IEnumerable<string> dashboards, Func<string[], bool>? include = null)
    {
        var empty = new List<string>();
        foreach (var path in dashboards)
        {
            foreach (var panel in DashboardFiles.MetricPanels(DashboardFiles.Load(path)))
            {
                var expressions = panel.GetProperty("targets").EnumerateArray().Select(target => target.GetProperty("expr").GetString()!).ToArray();
                if (include is not null && !include(expressions))
                {
                    continue;
                }

                var title = panel.GetProperty("title").GetString()!;
                var series = 0;
                foreach (var expression in expressions.Select(e => e.Replace("$__rate_interval", "1m").Replace("$job", "monitoredservice").Replace("$instance", ".+")))
                {
                    var result = await TryQueryAsync(expression);
                    result.Ok.Should().BeTrue($"panel '{title}': {expression}: {result.Error}");
                    series += result.Series;
                }

                if (series == 0)
                {
                    empty.Add(title);
                }
            }
        }

        return empty;
    }

    /// <summary>Our rules with every <c>for:</c> shortened (<see cref="TestFor"/>); nothing else differs.</summary>
    public static string TestRules()
    {
        var rules = File.ReadAllText(RuleFiles.RulesPath);
        var shortened = ForClause().Replace(rules, match => $"{match.Groups[1].Value}for: {TestFor(match.Groups[2].Value).TotalSeconds:0}s");
        ForClause().Matches(rules).Count.Should().BeGreaterThan(10, "the alerts have for: clauses to shorten");
        return shortened;
    }

    /// <summary>The global settings the test copy changes: the smarthost is the test's SMTP sink, without TLS.</summary>
    public static readonly string[] ChangedGlobals = ["smtp_smarthost", "smtp_require_tls", "smtp_auth_password_file"];

    /// <summary>
    /// Our Alertmanager configuration with a webhook to <c>{webhook}/{receiver name}</c> in place of
    /// each receiver's chat and pager settings (email receivers keep their email settings, sent to
    /// <paramref name="smarthost"/> without TLS), and the routes' waits shortened to a second; the
    /// routing tree, its matchers and the inhibition rules are the shipped ones.
    /// </summary>
    public static string TestAlertmanagerConfig(Uri webhook, string smarthost, string smtpPasswordFile)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Repository.Path("alerts", "alertmanager.yml"))));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var global = (YamlMappingNode)root["global"];
        global.Children[new YamlScalarNode(ChangedGlobals[0])] = new YamlScalarNode(smarthost);
        global.Children[new YamlScalarNode(ChangedGlobals[1])] = new YamlScalarNode("false");
        global.Children[new YamlScalarNode(ChangedGlobals[2])] = new YamlScalarNode(smtpPasswordFile);
        var receivers = (YamlSequenceNode)root["receivers"];
        foreach (var receiver in receivers.Children.Cast<YamlMappingNode>())
        {
            var name = ((YamlScalarNode)receiver["name"]).Value!;
            foreach (var key in receiver.Children.Keys.Where(key => ((YamlScalarNode)key).Value is not ("name" or "email_configs")).ToArray())
            {
                receiver.Children.Remove(key);
            }

            receiver.Add("webhook_configs", new YamlSequenceNode(new YamlMappingNode(
                new YamlScalarNode("url"), new YamlScalarNode(new Uri(webhook, name).ToString()),
                new YamlScalarNode("send_resolved"), new YamlScalarNode("true"))));
        }

        Shorten((YamlMappingNode)root["route"]);
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static void Shorten(YamlMappingNode route)
    {
        route.Children[new YamlScalarNode("group_wait")] = new YamlScalarNode("1s");
        route.Children[new YamlScalarNode("group_interval")] = new YamlScalarNode("1s");
        if (route.Children.TryGetValue(new YamlScalarNode("routes"), out var routes))
        {
            foreach (var child in ((YamlSequenceNode)routes).Children.Cast<YamlMappingNode>())
            {
                Shorten(child);
            }
        }
    }

    /// <summary>An instant query; the result's series.</summary>
    public async Task<JsonElement[]> QueryAsync(string expression)
    {
        var response = await _client.GetFromJsonAsync<JsonElement>(new Uri(PrometheusUrl, $"/api/v1/query?query={Uri.EscapeDataString(expression)}"));
        response.GetProperty("status").GetString().Should().Be("success", $"the query {expression} should evaluate");
        return response.GetProperty("data").GetProperty("result").EnumerateArray().ToArray();
    }

    /// <summary>Whether an instant query evaluates, and its error if not.</summary>
    public async Task<(bool Ok, string? Error, int Series)> TryQueryAsync(string expression)
    {
        using var response = await _client.GetAsync(new Uri(PrometheusUrl, $"/api/v1/query?query={Uri.EscapeDataString(expression)}"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("status").GetString() == "success"
            ? (true, null, body.GetProperty("data").GetProperty("result").GetArrayLength())
            : (false, body.GetProperty("error").GetString(), 0);
    }

    public async Task<double?> ScalarAsync(string expression)
    {
        var result = await QueryAsync(expression);
        return result.Length == 0 ? null : double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The alerts Prometheus holds (pending or firing).</summary>
    public async Task<IReadOnlyList<(string Name, string State, Dictionary<string, string> Labels)>> AlertsAsync()
    {
        var response = await _client.GetFromJsonAsync<JsonElement>(new Uri(PrometheusUrl, "/api/v1/alerts"));
        return response.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Select(alert =>
            {
                var labels = alert.GetProperty("labels").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!);
                return (labels["alertname"], alert.GetProperty("state").GetString()!, labels);
            })
            .ToArray();
    }

    /// <summary>
    /// Waits until Prometheus holds <paramref name="alert"/> in <paramref name="state"/>; "pending" is
    /// met by "firing" too (an alert fires only after its pending time): with the test copy's short
    /// `for`, an alert waited for after another can pass through pending between two polls.
    /// </summary>
    public async Task<Dictionary<string, string>> WaitForAlertAsync(string alert, string state, TimeSpan bound)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var match = (await AlertsAsync()).FirstOrDefault(a => a.Name == alert && (a.State == state || (state == "pending" && a.State == "firing")));
            if (match.Name is not null)
            {
                return match.Labels;
            }

            clock.Elapsed.Should().BeLessThan(bound, $"{alert} should be {state}; Prometheus holds: {string.Join(", ", (await AlertsAsync()).Select(a => $"{a.Name}/{a.State}"))}");
            await Task.Delay(250);
        }
    }

    /// <summary>Posts an alert to Alertmanager, as Prometheus would (API v2).</summary>
    public async Task PostAlertAsync(Dictionary<string, string> labels)
    {
        using var response = await _client.PostAsJsonAsync(new Uri(AlertmanagerUrl, "/api/v2/alerts"), new[]
        {
            new { labels, startsAt = DateTimeOffset.UtcNow, endsAt = DateTimeOffset.UtcNow.AddMinutes(5) },
        });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Alertmanager's view of the alerts named <paramref name="alertname"/>: labels, state, inhibitors.</summary>
    public async Task<JsonElement[]> AlertmanagerAlertsAsync(string alertname) =>
        (await _client.GetFromJsonAsync<JsonElement>(new Uri(AlertmanagerUrl, $"/api/v2/alerts?filter={Uri.EscapeDataString($"alertname=\"{alertname}\"")}")))
        .EnumerateArray().ToArray();

    /// <summary>Copies the logs to <paramref name="target"/> (kept when a test fails).</summary>
    public void KeepLogs(string target)
    {
        Directory.CreateDirectory(target);
        foreach (var log in LogPaths)
        {
            File.Copy(log, Path.Combine(target, Path.GetFileName(log)), overwrite: true);
        }

        foreach (var file in new[] { "prometheus.yml", "rules.yml", "alertmanager.yml" })
        {
            File.Copy(Path.Combine(_directory.FullName, file), Path.Combine(target, file), overwrite: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _prometheus.DisposeAsync();
        await _alertmanager.DisposeAsync();
        await Webhook.DisposeAsync();
        await Mail.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [GeneratedRegex(@"^(\s+)for: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex ForClause();
}
