using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MonitoredService.InProcess.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MonitoredService.InProcess.Tests.Health;

/// <summary>
/// Fifty callers hammering /health/ready for ten seconds (a misconfigured probe, a load balancer
/// storm) cost the store at most one query per cache window, and the moment shutdown starts every
/// caller gets 503, cache or not.
/// </summary>
public sealed class ProbeStormTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Storm = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CacheWindow = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task FiftyCallersForTenSecondsCostOneStoreQueryPerCacheWindowAndShutdownBypassesTheCache()
    {
        using var app = new MonitoredServiceApplication()
            .WithSetting("Observability:Health:CacheDuration", CacheWindow.ToString())
            .WithSetting("Observability:Shutdown:DrainDelay", "00:00:03");
        using var client = await app.CreateReadyClientAsync();
        var pingsBefore = app.Store.Pings;
        var answers = new ConcurrentBag<(TimeSpan SentAt, TimeSpan At, HttpStatusCode Status)>();
        var clock = Stopwatch.StartNew();
        TimeSpan? stoppedAt = null;

        var callers = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < Storm + TimeSpan.FromSeconds(1))
            {
                var sentAt = clock.Elapsed;
                using var response = await client.GetAsync("/health/ready");
                answers.Add((sentAt, clock.Elapsed, response.StatusCode));
            }
        })).ToArray();
        await Task.Delay(Storm);
        var pingsDuringStorm = app.Store.Pings - pingsBefore;
        stoppedAt = clock.Elapsed;
        app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var stopReturnedAt = clock.Elapsed;
        await Task.WhenAll(callers);

        var during = answers.Where(a => a.At < stoppedAt).ToArray();
        // By when a request was sent, not answered: on a busy machine a request sent before the stop can be answered well after it.
        var afterStop = answers.Where(a => a.SentAt > stopReturnedAt + TimeSpan.FromMilliseconds(100)).ToArray();
        output.WriteLine($"{during.Length} readiness answers in {Storm.TotalSeconds:0} s cost {pingsDuringStorm} store queries; {afterStop.Length} answers after shutdown began");
        during.Should().HaveCountGreaterThan(500, "the callers really stormed");
        during.Should().OnlyContain(a => a.Status == HttpStatusCode.OK);
        pingsDuringStorm.Should().BeLessThanOrEqualTo((int)Math.Ceiling(Storm / CacheWindow) + 1, "one query per cache window");
        afterStop.Should().NotBeEmpty().And.OnlyContain(a => a.Status == HttpStatusCode.ServiceUnavailable, "shutdown is never served from the cache");
    }
}
