using System.Diagnostics;
using System.Net.Http.Json;
using Xunit.Abstractions;

namespace MonitoredService.RealProcess.Tests.EndToEnd;

/// <summary>
/// The kit, run: the published service (on PostgreSQL, or SQLite in an instance without it; faults configurable) as a real process,
/// scraped every second by a real Prometheus 2.42 with our rules (a copy with shorter <c>for:</c>),
/// alerting through a real Alertmanager 0.25 with our routing and inhibition into a webhook this test
/// owns. Where the API takes bearer tokens (an HS256 key), the traffic carries a valid one. The acts:
/// healthy traffic (no alert, the dashboards' queries all evaluate and have data), with bearer tokens
/// a brute-force run of bad ones beside it (the authentication-failure alert fires and reaches the team
/// channel, not the pager; no availability alert stirs: a 401 is not unavailability), half the API requests failing (the error-ratio and fast-burn alerts go pending, fire, and reach the
/// receivers their severity routes to), the service stopped (target-down fires and inhibits the
/// instance's symptom alerts). Logs are kept under artifacts/e2e when it fails.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class EndToEndTests(ITestOutputHelper output)
{
    /// <summary>Pending, then firing after <see cref="MonitoringStack.For"/>, with evaluation and notification delays.</summary>
    private static readonly TimeSpan AlertBound = TimeSpan.FromSeconds(90);

    /// <summary>Panels with no data in a healthy run, and why: counters of rare events have no series before the first event.</summary>
    private static readonly Dictionary<string, string> PanelsWithoutDataHere = new()
    {
        ["Exceptions by type"] = "no exception was thrown (the runtime reports a type from the first one on)",
#if (WithPostgres)
        ["Command failures and pool timeouts"] = "no PostgreSQL command failed and no request waited for the pool",
        ["Store volume free"] = "the run is on the PostgreSQL store: the SQLite volume's metrics do not exist",
#endif
    };

#if (WithAuth)
    private static readonly TestTokens Tokens = new();

    private static readonly string? TrafficToken = Tokens.Mint(subject: "e2e-traffic", scope: "items:write", lifetime: TimeSpan.FromHours(2));
#else
    private static readonly string? TrafficToken = null; // the API takes no token
#endif

    [Fact]
    public async Task PrometheusAndAlertmanagerSeeHealthyTrafficThenErrorsThenAnOutage()
    {
        var port = ServiceProcess.FreePort();
#if (WithPostgres)
        Dictionary<string, string> store = new()
        {
            ["Store:Provider"] = "PostgreSql",
            ["ConnectionStrings:Items"] = await SharedPostgres.CreateDatabaseAsync(),
        };
#else
        Dictionary<string, string> store = []; // the embedded SQLite store, kept across the restarts
#endif
        await using var stack = await MonitoringStack.StartAsync(port);
        ServiceProcess? service = null;
        var clock = Stopwatch.StartNew();
        try
        {
            // Act 1: healthy traffic.
            service = await StartServiceAsync(port, store, errorRate: 0);
            using (var traffic = new Traffic(service.BaseAddress, TrafficToken))
            {
                await Eventually.TrueAsync(async () => await stack.ScalarAsync("up{job=\"monitoredservice\"}") == 1, "Prometheus should scrape the service");
                await Task.Delay(MonitoringStack.For + TimeSpan.FromSeconds(7)); // any alert would be firing by now
                (await stack.AlertsAsync()).Should().BeEmpty("healthy traffic raises no alert, pending or firing");
                var scrape = await stack.ScalarAsync("max_over_time(scrape_duration_seconds{job=\"monitoredservice\"}[1m])");
                var typical = await stack.ScalarAsync("quantile_over_time(0.5, scrape_duration_seconds{job=\"monitoredservice\"}[1m])");
                var samples = await stack.ScalarAsync("max_over_time(scrape_samples_scraped{job=\"monitoredservice\"}[1m])");
                output.WriteLine($"healthy: {traffic.Sent} requests; scrape median {typical * 1000:0.0} ms, max {scrape * 1000:0.0} ms; ≤ {samples} samples");
                scrape.Should().BeLessThan(0.25, "a scrape is cheap (a generous bound)");
                samples.Should().BeLessThan(2500, "the series count stays small");
                await EveryDashboardQueryEvaluatesAsync(stack);
#if (WithAuth)

                // Act 1b: beside the same traffic, a brute-force run of bad tokens (same process).
                using (new BruteForce(service.BaseAddress))
                {
                    await stack.WaitForAlertAsync("MonitoredServiceAuthFailureBurst", "pending", AlertBound);
                    var burst = await stack.WaitForAlertAsync("MonitoredServiceAuthFailureBurst", "firing", AlertBound);
                    output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s auth-failure burst firing");
                    burst.Should().Contain("severity", "warning").And.Contain("job", "monitoredservice");
                    await stack.Webhook.WaitForAsync("team-chat", "MonitoredServiceAuthFailureBurst", AlertBound);
                    (await stack.AlertsAsync()).Select(alert => alert.Name).Distinct().Should().Equal(["MonitoredServiceAuthFailureBurst"],
                        "401s are not unavailability: no availability, error-ratio or latency alert is even pending");
                    stack.Webhook.AlertsSentTo("pager").Should().BeEmpty("a brute-force run alone does not page");
                    var refused = await stack.ScalarAsync("sum(monitoredservice_auth_failures_total{job=\"monitoredservice\", reason=~\"invalid|expired\"})");
                    output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s {refused} bad tokens refused; notified the team channel only");
                }
#endif
            }

            // Act 2: half the API requests fail.
            await StopServiceAsync(service);
            service = await StartServiceAsync(port, store, errorRate: 0.5);
            using (new Traffic(service.BaseAddress, TrafficToken))
            {
                foreach (var alert in new[] { "MonitoredServiceHighErrorRatio", "MonitoredServiceAvailabilityBudgetFastBurn" })
                {
                    await stack.WaitForAlertAsync(alert, "pending", AlertBound);
                    output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s {alert} pending");
                }

                var ratio = await stack.WaitForAlertAsync("MonitoredServiceHighErrorRatio", "firing", AlertBound);
                var burn = await stack.WaitForAlertAsync("MonitoredServiceAvailabilityBudgetFastBurn", "firing", AlertBound);
                output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s both firing");
                ratio.Should().Contain("severity", "warning").And.Contain("job", "monitoredservice");
                ratio["endpoint"].Should().StartWith("/api/items");
                burn.Should().Contain("severity", "critical").And.Contain("job", "monitoredservice");

                // Routing: critical pages and goes to the team channel; warning goes to the team channel only.
                (await stack.Webhook.WaitForAsync("pager", "MonitoredServiceAvailabilityBudgetFastBurn", AlertBound))
                    .Should().Contain("severity", "critical");
                await stack.Webhook.WaitForAsync("team-chat", "MonitoredServiceAvailabilityBudgetFastBurn", AlertBound);
                (await stack.Webhook.WaitForAsync("team-chat", "MonitoredServiceHighErrorRatio", AlertBound))["endpoint"]
                    .Should().StartWith("/api/items", "one alert per failing API endpoint");
                output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s notified");
                stack.Webhook.AlertsSentTo("pager").Should().NotContain(a => a.Labels["alertname"] == "MonitoredServiceHighErrorRatio", "warnings do not page");
            }

            // Act 3: the service stops.
            var instance = $"127.0.0.1:{port}";
            await StopServiceAsync(service);
            service = null;
            var down = await stack.WaitForAlertAsync("MonitoredServiceTargetDown", "firing", AlertBound);
            down.Should().Contain("instance", instance);
            await stack.Webhook.WaitForAsync("pager", "MonitoredServiceTargetDown", AlertBound);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s target down firing and paged");

            // The critical tier also emails on-call, through the smarthost, with the runbook link.
            var email = await stack.Mail.WaitForAsync("monitoredservice-oncall@example.com", AlertBound,
                "Subject: [FIRING] MonitoredServiceTargetDown (critical)",
                "Runbook: https://github.com/example-org/monitoredservice/blob/main/docs/runbooks/MonitoredServiceTargetDown.md");
            email.Should().Contain(instance, "the description names the instance");
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s emailed on-call ({stack.Mail.Messages().Count} emails so far)");

            // A symptom of the same instance (as Prometheus sends it) is inhibited; the same symptom of another instance is not.
            var symptom = new Dictionary<string, string> { ["alertname"] = "MonitoredServiceNotReady", ["severity"] = "warning", ["job"] = "monitoredservice" };
            await stack.PostAlertAsync(new(symptom) { ["instance"] = instance });
            await stack.PostAlertAsync(new(symptom) { ["instance"] = "10.9.9.9:8080" });
            await stack.Webhook.WaitForAsync("team-chat", "MonitoredServiceNotReady", AlertBound);
            await Task.Delay(TimeSpan.FromSeconds(3)); // several group intervals
            var inhibited = (await stack.AlertmanagerAlertsAsync("MonitoredServiceNotReady"))
                .Single(alert => alert.GetProperty("labels").GetProperty("instance").GetString() == instance);
            inhibited.GetProperty("status").GetProperty("state").GetString().Should().Be("suppressed");
            inhibited.GetProperty("status").GetProperty("inhibitedBy").GetArrayLength().Should().Be(1);
            stack.Webhook.AlertsSentTo("team-chat").Where(a => a.Labels["alertname"] == "MonitoredServiceNotReady")
                .Select(a => a.Labels["instance"]).Should().OnlyContain(i => i == "10.9.9.9:8080", "the down instance's symptom is inhibited");
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0}s done; notifications: " +
                string.Join(", ", stack.Webhook.Notifications.SelectMany(n => n.Payload.GetProperty("alerts").EnumerateArray()
                    .Select(a => $"{n.Receiver}:{a.GetProperty("labels").GetProperty("alertname").GetString()}")).Distinct()));
        }
        catch
        {
            var target = Repository.Path("artifacts", "e2e");
            stack.KeepLogs(target);
            if (service is not null)
            {
                await File.WriteAllTextAsync(Path.Combine(target, "service.log"), service.Stdout + service.Stderr);
            }

            output.WriteLine($"logs kept in {target}");
            throw;
        }
        finally
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Every query of the service's panels (those on its own metrics, selected by the job variable)
    /// evaluates, and every one but the listed has data. The add-ons' panels are AddOnEndToEndTests'.
    /// </summary>
    private async Task EveryDashboardQueryEvaluatesAsync(MonitoringStack stack)
    {
        var empty = await stack.PanelsWithoutDataAsync(DashboardFiles.Paths, expressions => expressions.All(e => e.Contains("job=\"$job\"", StringComparison.Ordinal)));
        output.WriteLine($"panels without data: {string.Join(", ", empty)}");
        empty.Should().BeEquivalentTo(PanelsWithoutDataHere.Keys, "every other panel shows data for a healthy service");
    }

    private static async Task<ServiceProcess> StartServiceAsync(int port, Dictionary<string, string> store, double errorRate)
    {
        var service = ServiceProcess.Start(new Dictionary<string, string>(store)
        {
            ["FaultInjection:ErrorRate"] = errorRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Observability:Health:PublishPeriod"] = "00:00:01",
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
#if (WithAuth)
            ["Authentication:Jwt:SigningKey"] = Tokens.SigningKey,
#endif
        }, port, assembly: await PublishedService.AssemblyAsync());
        await service.WaitUntilReadyAsync();
        return service;
    }

    private static async Task StopServiceAsync(ServiceProcess service)
    {
        service.Terminate();
        (await service.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0);
        await service.DisposeAsync();
    }

#if (WithAuth)
    /// <summary>About 45 requests a second with bad tokens (forged with another key, expired, garbage) until disposed.</summary>
    private sealed class BruteForce : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public BruteForce(Uri service) => _loop = Task.Run(() => RunAsync(service, _stop.Token));

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait(TimeSpan.FromSeconds(10));
            _stop.Dispose();
        }

        private static async Task RunAsync(Uri service, CancellationToken stop)
        {
            using var client = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(5) };
            var forger = new TestTokens();
            var guess = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    foreach (var token in new[]
                    {
                        forger.Mint(subject: $"guess-{guess++}", scope: "items:write"),
                        Tokens.Mint(subject: "stolen", lifetime: TimeSpan.FromMinutes(-30)),
                        $"guess-{guess++}",
                    })
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/items?limit=1");
                        request.Headers.Authorization = new("Bearer", token);
                        (await client.SendAsync(request, stop)).Dispose();
                    }

                    await Task.Delay(50, stop);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or OperationCanceledException)
                {
                    // The test ending.
                }
            }
        }
    }
#endif
}
