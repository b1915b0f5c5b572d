using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitoredService.Observability.Startup;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Health;

/// <summary>Each probe's status and body in each state: starting, ready, store broken, store hung, shutting down.</summary>
public sealed class ProbeTests
{
    [Fact]
    public async Task LiveAnswers200WithTheHealthUiJson()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.GetAsync("/health/live");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var health = await response.ReadHealthAsync();
        health.GetProperty("status").GetString().Should().Be("Healthy");
        health.GetProperty("totalDuration").GetString().Should().MatchRegex(@"^\d\d:\d\d:\d\d");
        health.EntryStatus("self").Should().Be("Healthy");
        health.GetProperty("entries").EnumerateObject().Select(entry => entry.Name)
            .Should().Equal(["self"], "liveness never depends on the store or any other dependency");
    }

    [Fact]
    public async Task StartupAndReadyAnswer503WhileStartupWorkIsPendingAndLiveAnswers200()
    {
        var gate = new BlockingStartupTask();
        using var app = new MonitoredServiceApplication()
            .WithServices(services => services.AddSingleton<IStartupTask>(gate));
        using var client = app.CreateClient();

        using var startup = await client.GetAsync("/health/startup");
        using var ready = await client.GetAsync("/health/ready");
        using var live = await client.GetAsync("/health/live");

        startup.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var startupHealth = await startup.ReadHealthAsync();
        startupHealth.GetProperty("status").GetString().Should().Be("Unhealthy");
        startupHealth.EntryStatus("startup").Should().Be("Unhealthy");
        ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await ready.ReadHealthAsync()).EntryStatus("startup").Should().Be("Unhealthy");
        live.StatusCode.Should().Be(HttpStatusCode.OK);

        gate.Release();
        await client.WaitForStatusAsync( "/health/startup", HttpStatusCode.OK);
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task StartupProbeNamesThePendingTask()
    {
        var gate = new BlockingStartupTask();
        using var app = new MonitoredServiceApplication()
            .WithServices(services => services.AddSingleton<IStartupTask>(gate));
        using var client = app.CreateClient();

        await client.WaitForDescriptionAsync( "/health/startup", "startup", "Start-up in progress: test gate.");
        gate.Release();
    }

    [Fact]
    public async Task ReadyAnswers200WithEveryReadinessCheckOnceStarted()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.GetAsync("/health/ready");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var health = await response.ReadHealthAsync();
        health.GetProperty("entries").EnumerateObject().Select(entry => entry.Name)
#if (SampleApi)
            .Should().BeEquivalentTo(["startup", "shutdown", "store"]);
        health.EntryStatus("store").Should().Be("Healthy");
#else
            .Should().BeEquivalentTo(["startup", "shutdown"]);
#endif
        (await client.GetAsync("/health/startup")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

#if (SampleApi)
    [Fact]
    public async Task ReadyAnswers503WhenTheStoreIsBrokenWithoutLeakingTheException()
    {
        using var app = new MonitoredServiceApplication().WithSetting("Observability:Health:CacheDuration", "00:00:00");
        using var client = await app.CreateReadyClientAsync();
        app.Store.Mode = StoreMode.Broken;

        using var ready = await client.GetAsync("/health/ready");

        ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var body = await ready.Content.ReadAsStringAsync();
        body.Should().NotContain(ControllableItemStore.CanarySecret).And.NotContain("Host=db");
        var health = await ready.ReadHealthAsync();
        health.EntryStatus("store").Should().Be("Unhealthy");
        health.EntryDescription("store").Should().Be(
            "Check failed (StoreUnavailableException); the log has the details.");
        (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/health/startup")).StatusCode.Should().Be(HttpStatusCode.OK, "start-up finished; it stays done");
    }
#endif

#if (SampleApi)
    [Fact]
    public async Task ReadyAnswers503WithinTheCheckTimeoutWhenTheStoreHangs()
    {
        using var app = new MonitoredServiceApplication()
            .WithSetting("Observability:Health:Timeout", "00:00:00.300")
            .WithSetting("Observability:Health:CacheDuration", "00:00:00");
        using var client = await app.CreateReadyClientAsync();
        app.Store.Mode = StoreMode.Hung;
        try
        {
            var clock = Stopwatch.StartNew();
            using var ready = await client.GetAsync("/health/ready");
            clock.Stop();

            ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            (await ready.ReadHealthAsync()).EntryDescription("store").Should().Be("No answer within 300 ms.");
            clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "a generous bound that only catches a probe hanging with the store (7.9 s once, in a loaded CI run)");
            (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
        }
        finally
        {
            app.Store.Mode = StoreMode.Working;
        }
    }
#endif

#if (SampleApi)
    [Fact]
    public async Task ReadyRecoversByItselfWhenTheStoreComesBack()
    {
        using var app = new MonitoredServiceApplication().WithSetting("Observability:Health:CacheDuration", "00:00:00.100");
        using var client = await app.CreateReadyClientAsync();

        app.Store.Mode = StoreMode.Broken;
        await client.WaitForStatusAsync( "/health/ready", HttpStatusCode.ServiceUnavailable);
        app.Store.Mode = StoreMode.Working;

        await client.WaitForStatusAsync( "/health/ready", HttpStatusCode.OK);
    }
#endif

    [Fact]
    public async Task ReadyAnswers503FromTheMomentShutdownBeginsWhileLiveStays200()
    {
        // The factory runs Program's Main: stopping really drains, then stops the test server.
        using var app = new MonitoredServiceApplication()
            .WithSetting("Observability:Health:CacheDuration", "00:01:00")
            .WithSetting("Observability:Shutdown:DrainDelay", "00:00:02");
        using var client = await app.CreateReadyClientAsync();
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK, "a healthy result is now cached for a minute");

        app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        using var ready = await client.GetAsync("/health/ready");
        ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "shutdown is never served from the cache");
        var health = await ready.ReadHealthAsync();
        health.EntryStatus("shutdown").Should().Be("Unhealthy");
        health.EntryDescription("shutdown").Should().Be("Shutting down: draining before the server stops.");
        (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

#if (SampleApi)
    [Fact]
    public async Task AStoreThatCannotBeOpenedKeepsStartupAndReadyAt503AndRetries()
    {
        using var app = new MonitoredServiceApplication();
        var notADirectory = Path.Combine(app.DataDirectory, "a-file");
        await File.WriteAllTextAsync(notADirectory, "");
        app.WithSetting("Store:Path", Path.Combine(notADirectory, "items.db"));
        using var client = app.CreateClient();

        await client.WaitForDescriptionAsync( "/health/startup", "startup", "Start-up in progress: store migration (failed 1 times; retrying).");
        (await client.GetAsync("/health/startup")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await client.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
#endif

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/health/startup")]
    public async Task ProbesAnswerHeadWithTheStatusAndNoBody(string path)
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Theory]
    [InlineData("POST", "/health/live")]
    [InlineData("DELETE", "/health/ready")]
    [InlineData("PUT", "/health/startup")]
    public async Task ProbesRejectOtherMethodsWith405(string method, string path)
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.ShouldBeProblemAsync(405);
    }

    [Fact]
    public async Task ProbeAnswersAreNeverCachedByClientsOrProxies()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        using var response = await client.GetAsync("/health/ready");

        response.Headers.CacheControl!.NoStore.Should().BeTrue();
    }
}
