using Microsoft.IdentityModel.Tokens;
using MonitoredService.Security;

namespace MonitoredService.InProcess.Tests.Security;

/// <summary>
/// A token that passed is accepted again without validating it, but never after it expires or after
/// the cache's duration (so a removed key stops being honoured), and a token that failed is never
/// remembered.
/// </summary>
public sealed class ValidatedTokenCacheTests
{
    private readonly TestTokens _tokens = new();

    [Fact]
    public async Task AValidTokenIsRememberedAndEachRequestGetsItsOwnClaims()
    {
        var cache = new ValidatedTokenCache(TimeSpan.FromMinutes(1));
        var token = _tokens.Mint(subject: "alice", scope: "items:write");

        var first = await cache.ValidateTokenAsync(token, Parameters(_tokens));
        var second = await cache.ValidateTokenAsync(token, Parameters(_tokens));

        first.IsValid.Should().BeTrue();
        second.IsValid.Should().BeTrue();
        cache.Count.Should().Be(1);
        second.ClaimsIdentity.Should().NotBeSameAs(first.ClaimsIdentity);
        second.ClaimsIdentity.FindFirst("sub")!.Value.Should().Be("alice");
        second.ClaimsIdentity.FindFirst("scope")!.Value.Should().Be("items:write");
        second.SecurityToken.ValidTo.Should().Be(first.SecurityToken.ValidTo);
    }

    [Fact]
    public async Task AFailedTokenIsNeverRemembered()
    {
        var cache = new ValidatedTokenCache(TimeSpan.FromMinutes(1));
        var forged = new TestTokens().Mint();

        (await cache.ValidateTokenAsync(forged, Parameters(_tokens))).IsValid.Should().BeFalse();
        (await cache.ValidateTokenAsync(forged, Parameters(_tokens))).IsValid.Should().BeFalse();
        (await cache.ValidateTokenAsync("garbage", Parameters(_tokens))).IsValid.Should().BeFalse();

        cache.Count.Should().Be(0);
    }

    [Fact]
    public async Task AfterTheDurationTheTokenIsValidatedAgainAgainstTheKeysInForceThen()
    {
        var cache = new ValidatedTokenCache(TimeSpan.FromMilliseconds(200));
        var token = _tokens.Mint();
        var rotated = Parameters(new TestTokens()); // the key the token was signed with is gone

        (await cache.ValidateTokenAsync(token, Parameters(_tokens))).IsValid.Should().BeTrue();
        (await cache.ValidateTokenAsync(token, rotated)).IsValid.Should().BeTrue("within the duration the earlier validation holds");
        await Task.Delay(300);

        (await cache.ValidateTokenAsync(token, rotated)).IsValid.Should().BeFalse("after it, the token is checked against the new key");
    }

    [Fact]
    public async Task AnExpiredTokenIsNeverServedFromTheCache()
    {
        var cache = new ValidatedTokenCache(TimeSpan.FromMinutes(10));
        var token = _tokens.Mint(lifetime: TimeSpan.FromSeconds(2));

        (await cache.ValidateTokenAsync(token, Parameters(_tokens))).IsValid.Should().BeTrue();
        await Task.Delay(TimeSpan.FromSeconds(3)); // exp is in whole seconds

        var late = await cache.ValidateTokenAsync(token, Parameters(_tokens));
        late.IsValid.Should().BeFalse();
        late.Exception.Should().BeOfType<SecurityTokenExpiredException>();
        cache.Count.Should().Be(0);
    }

    [Fact]
    public async Task AFullCacheValidatesNewTokensWithoutRememberingThem()
    {
        var cache = new ValidatedTokenCache(TimeSpan.FromMinutes(1), capacity: 2);

        foreach (var subject in new[] { "a", "b", "c", "d" })
        {
            (await cache.ValidateTokenAsync(_tokens.Mint(subject: subject), Parameters(_tokens))).IsValid.Should().BeTrue();
        }

        cache.Count.Should().Be(2);
    }

    private static TokenValidationParameters Parameters(TestTokens tokens) => new()
    {
        IssuerSigningKey = new SymmetricSecurityKey(tokens.Key),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidateIssuer = false,
        ValidateAudience = false,
        ClockSkew = TimeSpan.Zero,
    };
}
