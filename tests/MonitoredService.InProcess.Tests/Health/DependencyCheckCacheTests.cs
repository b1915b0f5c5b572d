using System.Net;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Health;

/// <summary>A storm of probes is not a storm of store queries: at most one query per cache window.</summary>
public sealed class DependencyCheckCacheTests
{
    [Fact]
    public async Task FiftyConcurrentReadinessCallersCostOneStoreQuery()
    {
        using var app = Application().WithSetting("Observability:Health:CacheDuration", "00:01:00");
        using var client = await app.CreateReadyClientAsync();
        var before = app.Store.Pings;

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetAsync("/health/ready")));

        responses.Should().OnlyContain(response => response.StatusCode == HttpStatusCode.OK);
        (app.Store.Pings - before).Should().Be(1);
    }

    [Fact]
    public async Task ANewQueryIsMadeOnlyOnceTheCacheWindowHasPassed()
    {
        using var app = Application().WithSetting("Observability:Health:CacheDuration", "00:00:00.500");
        using var client = await app.CreateReadyClientAsync();
        var before = app.Store.Pings;

        await client.GetAsync("/health/ready");
        await client.GetAsync("/health/ready");
        var withinWindow = app.Store.Pings - before;
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        await client.GetAsync("/health/ready");
        var afterWindow = app.Store.Pings - before;

        withinWindow.Should().Be(1);
        afterWindow.Should().Be(2);
    }

    [Fact]
    public async Task AFailureIsCachedLikeASuccessSoThatABrokenStoreIsNotHammered()
    {
        // Start-up polls /health/startup only, and the publisher is off: no readiness result is cached yet.
        using var app = Application().WithSetting("Observability:Health:CacheDuration", "00:01:00");
        using var client = await app.CreateReadyClientAsync();
        app.Store.Mode = StoreMode.Broken;
        var before = app.Store.Pings;

        var storm = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetAsync("/health/ready")));

        storm.Should().OnlyContain(response => response.StatusCode == HttpStatusCode.ServiceUnavailable);
        (app.Store.Pings - before).Should().Be(1);
    }

    [Fact]
    public async Task ConcurrentCallersShareOneQueryWhileTheStoreHangs()
    {
        using var app = Application()
            .WithSetting("Observability:Health:Timeout", "00:00:00.300")
            .WithSetting("Observability:Health:CacheDuration", "00:01:00");
        using var client = await app.CreateReadyClientAsync();
        app.Store.Mode = StoreMode.Hung;
        try
        {
            var before = app.Store.Pings;
            var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetAsync("/health/ready")));

            responses.Should().OnlyContain(response => response.StatusCode == HttpStatusCode.ServiceUnavailable);
            (app.Store.Pings - before).Should().Be(1, "one hung query is shared; it does not pile up one thread per probe");
        }
        finally
        {
            app.Store.Mode = StoreMode.Working;
        }
    }

    /// <summary>
    /// With metrics off: the health-metrics publisher runs every check in the background as well,
    /// and a run of it just after start-up would fill the cache before the test looks.
    /// </summary>
    private static MonitoredServiceApplication Application() =>
        new MonitoredServiceApplication().WithSetting("Observability:Metrics:Enabled", "false");
}
