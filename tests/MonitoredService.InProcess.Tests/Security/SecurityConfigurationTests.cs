using Microsoft.Extensions.Options;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Security;

/// <summary>A security setting that cannot work stops the start, naming its key and never echoing a key.</summary>
public sealed class SecurityConfigurationTests
{
    private const string ShortKey = "c2hvcnQta2V5LW9mLTI0LWJ5dGVzLWxvbmc="; // 24 bytes

    [Theory]
#if (WithAuth)
    [InlineData("Authentication:Jwt:Authority", "https://login.example/tenant", null, null, "Authentication:Jwt:Audience: an audience is required with an authority.")]
    [InlineData("Authentication:Jwt:SigningKey", ShortKey, null, null, "Authentication:Jwt:SigningKey: too short: HS256 needs at least 32 bytes (256 bits).")]
    [InlineData("Authentication:Jwt:SigningKey", "not base64!", null, null, "Authentication:Jwt:SigningKey: not valid base64.")]
    [InlineData("Authentication:Jwt:Authority", "login.example", "Authentication:Jwt:Audience", "api", "Authentication:Jwt:Authority: not an absolute URL.")]
    [InlineData("Authentication:Jwt:Authority", "http://login.example/tenant", "Authentication:Jwt:Audience", "api", "Authentication:Jwt:Authority: must be https (or set Authentication:Jwt:RequireHttpsMetadata=false for a local issuer).")]
#endif
    [InlineData("RateLimiting:PermitsPerSecond", "10", "RateLimiting:Burst", "5", "RateLimiting:Burst: at least RateLimiting:PermitsPerSecond (the bucket is refilled once a second).")]
    [InlineData("RateLimiting:Burst", "10", null, null, "RateLimiting:Burst: a burst needs RateLimiting:PermitsPerSecond.")]
    [InlineData("ForwardedHeaders:KnownProxies:0", "proxy.internal", null, null, "ForwardedHeaders:KnownProxies: not an IP address.")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.0/33", null, null, "ForwardedHeaders:KnownNetworks: not a network in CIDR form.")]
    public void AnUnusableSettingStopsStartNamingTheKey(string key, string value, string? otherKey, string? otherValue, string message)
    {
        var failure = MonitoredServiceApplication.StartFailure(() =>
        {
            var app = new MonitoredServiceApplication().WithSetting(key, value);
            return otherKey is null ? app : app.WithSetting(otherKey, otherValue);
        });

        failure.Should().BeOfType<OptionsValidationException>().Which.Message.Should().Be(message);
        failure.Message.Should().NotContain(ShortKey);
    }

#if (WithAuth)
    [Fact]
    public void AnAuthorityAndASigningKeyTogetherStopStart()
    {
        var failure = MonitoredServiceApplication.StartFailure(() => new MonitoredServiceApplication()
            .WithSetting("Authentication:Jwt:Authority", "https://login.example/tenant")
            .WithSetting("Authentication:Jwt:Audience", "api")
            .WithSetting("Authentication:Jwt:SigningKey", new TestTokens().SigningKey));

        failure.Should().BeOfType<OptionsValidationException>().Which.Message.Should().Be("Authentication:Jwt:SigningKey: set an authority or a signing key, not both.");
    }

    [Fact]
    public void AMissingKeyFileStopsStartNamingTheKey()
    {
        var failure = MonitoredServiceApplication.StartFailure(() => new MonitoredServiceApplication()
            .WithSetting("Authentication:Jwt:SigningKeyFile", "/nonexistent/jwt-signing-key"));

        failure.Should().BeOfType<OptionsValidationException>().Which.Message.Should().Be("Authentication:Jwt:SigningKeyFile: no such file (or it cannot be read).");
    }

    [Fact]
    public void AKeyFileWithAShortKeyStopsStartNamingTheFileKey()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, ShortKey + "\n");
        try
        {
            var failure = MonitoredServiceApplication.StartFailure(() => new MonitoredServiceApplication()
                .WithSetting("Authentication:Jwt:SigningKeyFile", file));

            failure.Should().BeOfType<OptionsValidationException>().Which.Message.Should()
                .Be("Authentication:Jwt:SigningKeyFile: too short: HS256 needs at least 32 bytes (256 bits).");
        }
        finally
        {
            File.Delete(file);
        }
    }
#endif

    [Theory]
    [InlineData("RateLimiting:PermitsPerSecond", "-1")]
    [InlineData("RateLimiting:MaxConcurrentRequests", "-5")]
#if (WithAuth)
    [InlineData("Authentication:Jwt:ClockSkew", "01:00:00")]
#endif
    public void AnOutOfRangeLimitStopsStartNamingTheKey(string key, string value)
    {
        var failure = MonitoredServiceApplication.StartFailure(() => new MonitoredServiceApplication().WithSetting(key, value));

        failure.Should().BeOfType<OptionsValidationException>().Which.Message.Should().StartWith($"{key}: ");
    }
}
