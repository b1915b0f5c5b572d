using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MonitoredService.Observability.Health;
using MonitoredService.Observability.Settings;
using MonitoredService.Observability.Tracing;

namespace MonitoredService.Unit.Tests.Settings;

/// <summary>A section is bound and validated once per host, and that instance is what the host's options serve.</summary>
public sealed class SettingsCacheTests
{
    [Fact]
    public void ASectionIsBoundOnceAndItsInstanceIsTheHostsOptions()
    {
        var builder = Builder(("Observability:Health:Timeout", "00:00:01.500"));

        var cache = SettingsCache.Of(builder);
        var first = cache.Get<HealthOptions>();
        using var host = builder.Build();

        SettingsCache.Of(builder).Should().BeSameAs(cache);
        cache.Get<HealthOptions>().Should().BeSameAs(first);
        first.Timeout.Should().Be(TimeSpan.FromSeconds(1.5));
        host.Services.GetRequiredService<IOptions<HealthOptions>>().Value.Should().BeSameAs(first);
        host.Services.GetRequiredService<IOptionsMonitor<HealthOptions>>().CurrentValue.Should().BeSameAs(first);
        host.Services.GetRequiredService<SettingsCache>().Should().BeSameAs(cache);
    }

    [Fact]
    public async Task AnInvalidSectionGivesRegistrationTheDefaultsAndStopsTheHostAtStartNamingTheKey()
    {
        var builder = Builder(("Observability:Health:Timeout", "00:01:00"));

        var registered = SettingsCache.Of(builder).Get<HealthOptions>();
        using var host = builder.Build();
        var start = () => host.StartAsync();

        registered.Timeout.Should().Be(new HealthOptions().Timeout, "registration goes on with the defaults, so that the host can report at start");
        (await start.Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().StartWith("Observability:Health:Timeout: ");
        host.Services.Invoking(services => services.GetRequiredService<IOptions<HealthOptions>>().Value)
            .Should().Throw<OptionsValidationException>("the host never serves with an invalid section");
    }

    [Fact]
    public void AValueOfTheWrongTypeIsReportedWithItsKey()
    {
        var builder = Builder(("Observability:Health:Timeout", "soon"));

        SettingsCache.Of(builder).Get<HealthOptions>();
        using var host = builder.Build();

        host.Services.Invoking(services => services.GetRequiredService<IOptions<HealthOptions>>().Value)
            .Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("'Observability:Health:Timeout'");
    }

    [Fact]
    public void RootKeysAreReadFromTheRootOnlyAndNamedAsSuchInFailures()
    {
        var builder = Builder(
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_TRACES_SAMPLER", "sometimes"),
            ("Observability:Tracing:OtlpEndpoint", "http://not-this-one:4318"));

        var registered = SettingsCache.Of(builder).Get<TracingOptions>();
        using var host = builder.Build();

        registered.Exports.Should().BeFalse("the section is invalid: registration has the defaults");
        host.Services.Invoking(services => services.GetRequiredService<IOptions<TracingOptions>>().Value)
            .Should().Throw<OptionsValidationException>().Which.Message.Should().StartWith("OTEL_TRACES_SAMPLER: 'sometimes' is not one of");
    }

    [Fact]
    public void TheStandardVariablesDecideWhetherTracesAreExported()
    {
        var exporting = SettingsCache.Of(Builder(("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces"))).Get<TracingOptions>();
        var switchedOff = SettingsCache.Of(Builder(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"), ("Observability:Tracing:Enabled", "false"))).Get<TracingOptions>();
        var noEndpoint = SettingsCache.Of(Builder(("Observability:Tracing:OtlpEndpoint", "http://not-a-root-key:4318"))).Get<TracingOptions>();

        exporting.Exports.Should().BeTrue();
        exporting.OtlpTracesEndpoint.Should().Be("http://collector:4318/v1/traces");
        switchedOff.Exports.Should().BeFalse();
        noEndpoint.Exports.Should().BeFalse("a root key cannot be set from the section");
        noEndpoint.OtlpEndpoint.Should().BeNull();
    }

    [Fact]
    public void ASectionNotReadWhileRegisteringCannotBeReadAfterwards()
    {
        var builder = Builder();
        var cache = SettingsCache.Of(builder);
        using var host = builder.Build();

        cache.Invoking(settings => settings.Get<HealthOptions>())
            .Should().Throw<InvalidOperationException>().WithMessage("Observability:Health was not read while services were registered*");
    }

    [Fact]
    public void TheIdentityIsResolvedOnceAndRegistered()
    {
        var builder = Builder(("OTEL_SERVICE_NAME", "orders"));

        var identity = SettingsCache.Of(builder).Identity;
        using var host = builder.Build();

        identity.Name.Should().Be("orders");
        host.Services.GetRequiredService<Observability.ServiceIdentity>().Should().BeSameAs(identity);
    }

    /// <summary>A host builder whose application is the library (any loadable assembly will do).</summary>
    private static HostApplicationBuilder Builder(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = typeof(SettingsCache).Assembly.GetName().Name,
            EnvironmentName = "Production",
            DisableDefaults = true,
        });
        builder.Configuration.AddInMemoryCollection(settings.Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value)));
        return builder;
    }
}
