using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MonitoredService.Testing;

/// <summary>
/// HS256 bearer tokens for tests, minted by hand (RFC 7519: header.payload.signature, base64url),
/// so that the tests do not use the library the service validates with.
/// </summary>
public sealed class TestTokens
{
    public TestTokens(byte[]? key = null) => Key = key ?? RandomNumberGenerator.GetBytes(32);

    public byte[] Key { get; }

    /// <summary>The value of <c>Authentication:Jwt:SigningKey</c>.</summary>
    public string SigningKey => Convert.ToBase64String(Key);

    /// <summary>A token for <paramref name="subject"/>, valid for an hour unless <paramref name="lifetime"/> says otherwise (negative: already expired).</summary>
    public string Mint(string subject = "test-client", string? scope = null, string? audience = null, TimeSpan? lifetime = null, string? issuer = null)
    {
        var now = DateTimeOffset.UtcNow;
        var expires = now + (lifetime ?? TimeSpan.FromHours(1));
        var issued = expires < now ? expires - TimeSpan.FromMinutes(10) : now;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["iat"] = issued.ToUnixTimeSeconds(),
            ["nbf"] = issued.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
        };
        if (scope is not null)
        {
            claims["scope"] = scope;
        }

        if (audience is not null)
        {
            claims["aud"] = audience;
        }

        if (issuer is not null)
        {
            claims["iss"] = issuer;
        }

        return Sign(claims);
    }

    /// <summary>A token with any claims (e.g. <c>scp</c> instead of <c>scope</c>).</summary>
    public string Sign(IReadOnlyDictionary<string, object> claims)
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = Base64Url(HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
