using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Configuration;

/// <summary>A bad value stops the service at start with a message that names the configuration key.</summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("FaultInjection:ErrorRate", "1.5")]
    [InlineData("FaultInjection:ErrorRate", "-0.1")]
    [InlineData("FaultInjection:LatencyMs", "-1")]
    [InlineData("FaultInjection:LatencyMs", "60001")]
    [InlineData("Observability:Health:Timeout", "00:00:00")]
    [InlineData("Observability:Health:Timeout", "00:01:00")]
    [InlineData("Observability:Health:CacheDuration", "-00:00:01")]
    [InlineData("Observability:Shutdown:DrainDelay", "-00:00:01")]
    [InlineData("Observability:Shutdown:DrainDelay", "01:00:00")]
    [InlineData("Observability:Shutdown:Timeout", "00:00:00")]
#if (SampleApi)
    [InlineData("Store:Path", "")]
    [InlineData("Store:CommandTimeout", "00:00:00")]
#endif
    public void AnOutOfRangeValueStopsStartWithTheKeyInTheMessage(string key, string value)
    {
        var failure = MonitoredServiceApplication.StartFailure(() => new MonitoredServiceApplication().WithSetting(key, value));

        failure.Should().BeOfType<OptionsValidationException>().Which.Message.Should().StartWith($"{key}: ");
    }

    [Theory]
    [InlineData("FaultInjection:ErrorRate", "lots")]
    [InlineData("Observability:Shutdown:DrainDelay", "5 seconds")]
    [InlineData("Observability:Health:Timeout", "soon")]
    public void AValueOfTheWrongTypeStopsStartWithTheKeyInTheMessage(string key, string value)
    {
        var failure = MonitoredServiceApplication.StartFailure(() => new MonitoredServiceApplication().WithSetting(key, value));

        failure.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain($"'{key}'");
    }

#if (WithPostgres)
    [Theory]
    [InlineData(null, "ConnectionStrings:Items: a connection string is required when Store:Provider is PostgreSql.")]
    [InlineData("Host=db;Password=pw-canary-77;Bogus Key=1", "ConnectionStrings:Items: not a valid PostgreSQL connection string.")]
    public void PostgreSqlWithoutAUsableConnectionStringStopsStartWithoutEchoingIt(string? connectionString, string message)
    {
        var failure = MonitoredServiceApplication.StartFailure(() => new MonitoredServiceApplication()
            .WithSetting("Store:Provider", "PostgreSql").WithSetting("ConnectionStrings:Items", connectionString));

        failure.Should().BeOfType<OptionsValidationException>().Which.Message.Should().Be(message);
    }
#endif

#if (SampleApi)
    [Fact]
    public void AnUnknownStoreProviderStopsStartNamingTheKey()
    {
        var failure = MonitoredServiceApplication.StartFailure(() => new MonitoredServiceApplication().WithSetting("Store:Provider", "MySql"));

        failure.Message.Should().Contain("Store:Provider");
    }
#endif

    [Fact]
    public void EveryFailureIsReportedNotOnlyTheFirst()
    {
        var failure = MonitoredServiceApplication.StartFailure(() => new MonitoredServiceApplication()
            .WithSetting("FaultInjection:ErrorRate", "2")
            .WithSetting("FaultInjection:LatencyMs", "-5"));

        failure.Should().BeOfType<OptionsValidationException>().Which.Failures
            .Should().Contain(failure => failure.StartsWith("FaultInjection:ErrorRate: "))
            .And.Contain(failure => failure.StartsWith("FaultInjection:LatencyMs: "));
    }

    [Fact]
    public async Task TheEmbeddedDefaultsAreValid()
    {
        using var app = new MonitoredServiceApplication();

        using var client = await app.CreateReadyClientAsync();

        (await client.GetAsync("/health/ready")).IsSuccessStatusCode.Should().BeTrue();
    }

    [Fact]
    public async Task TheHostShutdownTimeoutIsTheDrainDelayPlusTheTimeout()
    {
        using var app = new MonitoredServiceApplication()
            .WithSetting("Observability:Shutdown:DrainDelay", "00:00:00.500")
            .WithSetting("Observability:Shutdown:Timeout", "00:00:11");
        using var client = await app.CreateReadyClientAsync();

        app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout
            .Should().Be(TimeSpan.FromSeconds(11.5), "the host must not cut the drain or the in-flight requests short");
    }
}
