using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Management;

/// <summary>
/// The management listener (the metrics port): <c>/metrics</c>, <c>/info</c> and <c>/loggers</c> there,
/// none of them on the application port. <see cref="LoggersTests"/> covers <c>/loggers</c> in depth.
/// </summary>
public sealed class ManagementListenerTests
{
    [Fact]
    public async Task InfoSaysWhatIsRunningFromTheBuildTheRuntimeAndTheProcess()
    {
        using var service = ManagedService.Start(app => app
            .WithSetting("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=pod-7,deployment.environment.name=staging"));
        await service.App.CreateReadyClientAsync();

        var info = await service.Management.GetFromJsonAsync<JsonElement>("/info");
        var metrics = await Exposition.ScrapeAsync(service.Management);

        info.GetProperty("service").GetProperty("name").GetString().Should().Be("monitoredservice");
        info.GetProperty("service").GetProperty("version").GetString().Should().Be("0.1.0");
        info.GetProperty("service").GetProperty("environment").GetString().Should().Be("staging");
        info.GetProperty("service").GetProperty("instance").GetString().Should().Be("pod-7");
        var commit = info.GetProperty("build").GetProperty("commit").GetString();
        metrics.Value("monitoredservice_build_info", ("commit", commit!)).Should().Be(1, "/info and build_info name the same build");
        DateTimeOffset.TryParse(info.GetProperty("build").GetProperty("time").GetString(), CultureInfo.InvariantCulture, out _)
            .Should().BeTrue("the build stamps its time (the commit's, when built from a clone)");
        info.GetProperty("runtime").GetProperty("dotnet").GetString().Should().Be(Environment.Version.ToString());
        info.GetProperty("runtime").GetProperty("os").GetString().Should().NotBeNullOrWhiteSpace();
        var started = DateTimeOffset.Parse(info.GetProperty("process").GetProperty("startTime").GetString()!, CultureInfo.InvariantCulture);
        started.Should().BeBefore(DateTimeOffset.UtcNow).And.BeAfter(DateTimeOffset.UtcNow.AddHours(-2));
        info.GetProperty("process").GetProperty("uptimeSeconds").GetDouble().Should().BePositive();
        info.EnumerateObject().Select(p => p.Name).Should().Equal("service", "build", "runtime", "process");
    }

    [Fact]
    public async Task InfoAndLoggersAreNeverServedOnTheApplicationPortWhateverItsHostHeaderSays()
    {
        using var service = ManagedService.Start();
        using var client = await service.App.CreateReadyClientAsync();

        foreach (var path in new[] { "/info", "/loggers", "/loggers/Default", "/metrics" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = $"localhost:{service.Port}";
            (await client.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.NotFound, $"{path} is the management listener's");
        }

        using var change = await client.PostAsJsonAsync("/loggers/Default", new { level = "Verbose" });
        change.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await service.Management.GetAsync("/info")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await service.Management.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await service.Management.GetAsync("/api/items")).StatusCode.Should().Be(HttpStatusCode.NotFound, "the API is the application port's");
    }

    [Fact]
    public async Task WithoutAManagementPortInfoAndLoggersAreServedNowhere()
    {
        using var app = new MonitoredServiceApplication();
        using var client = await app.CreateReadyClientAsync();

        (await client.GetAsync("/info")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync("/loggers")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.OK, "metrics stay on the application port then");
    }
}

/// <summary>The service in-process with its management listener on a free loopback port, and a client for it.</summary>
internal sealed class ManagedService : IDisposable
{
    private ManagedService(MonitoredServiceApplication app, int port)
    {
        App = app;
        Port = port;
        Management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public MonitoredServiceApplication App { get; }

    public int Port { get; }

    public HttpClient Management { get; }

    public static ManagedService Start(Func<MonitoredServiceApplication, MonitoredServiceApplication>? configure = null)
    {
        var port = ServiceProcess.FreePort();
        var app = new MonitoredServiceApplication()
            .WithSetting("Observability:Metrics:Port", port.ToString(CultureInfo.InvariantCulture))
            .WithSetting("Observability:Metrics:Host", "127.0.0.1");
        return new ManagedService(configure?.Invoke(app) ?? app, port);
    }

    public void Dispose()
    {
        Management.Dispose();
        App.Dispose();
    }
}
