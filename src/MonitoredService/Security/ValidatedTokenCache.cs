using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MonitoredService.Security;

/// <summary>
/// The bearer handler's token validation, remembered for a token that passed: a client sends the
/// same token with every request until it expires, and validating it (parsing, the signature,
/// building its claims) cost about 8 µs and 8 KB per request (docs/security.md). A token that
/// passed is accepted again without that work until the earlier of its expiry and
/// <see cref="JwtOptions.ValidationCacheDuration"/> (so a signing key the authority removes stops
/// being honoured within that time). A token that failed is never remembered: it is validated
/// (and refused, and counted) every time. Each request gets its own copy of the claims.
/// </summary>
internal sealed class ValidatedTokenCache(TimeSpan duration, int capacity = ValidatedTokenCache.DefaultCapacity) : TokenHandler
{
    /// <summary>Tokens remembered at most (a few KiB each); beyond, new tokens are validated without being remembered.</summary>
    public const int DefaultCapacity = 1024;

    private readonly JsonWebTokenHandler _inner = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = DateTime.UtcNow;
        if (_entries.TryGetValue(token, out var entry))
        {
            if (now < entry.Until)
            {
                return new TokenValidationResult
                {
                    IsValid = true,
                    ClaimsIdentity = entry.Result.ClaimsIdentity.Clone(), // a request may change its own claims, never another's
                    SecurityToken = entry.Result.SecurityToken,
                    Issuer = entry.Result.Issuer,
                    TokenType = entry.Result.TokenType,
                };
            }

            _entries.TryRemove(token, out _);
        }

        var result = await _inner.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { ValidTo: var expires } && expires > now)
        {
            Remember(token, new Entry(result, expires < now + duration ? expires : now + duration), now);
        }

        return result;
    }

    public override SecurityToken ReadToken(string token) => _inner.ReadToken(token);

    private void Remember(string token, Entry entry, DateTime now)
    {
        if (_entries.Count >= capacity)
        {
            foreach (var (key, old) in _entries)
            {
                if (old.Until <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }

            if (_entries.Count >= capacity)
            {
                return; // full of live tokens: this one is validated again next time
            }
        }

        _entries[token] = entry;
    }

    private sealed record Entry(TokenValidationResult Result, DateTime Until);
}
