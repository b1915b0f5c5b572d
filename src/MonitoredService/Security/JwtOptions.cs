using System.ComponentModel.DataAnnotations;
using MonitoredService.Observability.Settings;

namespace MonitoredService.Security;

/// <summary>
/// Bearer authentication of <c>/api/*</c> (<c>Authentication:Jwt</c>): an OIDC authority and audience,
/// or an HS256 signing key for local stacks and tests. Neither set: the API is open (as before).
/// </summary>
public sealed class JwtOptions : IOptionsSection, IValidatableObject
{
    public static string SectionName => "Authentication:Jwt";

    /// <summary>HS256 needs a key of at least 256 bits (RFC 7518 §3.2).</summary>
    public const int MinSigningKeyBytes = 32;

    /// <summary>The OIDC issuer (its discovery document gives the signing keys); needs <see cref="Audience"/>.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience every token must name (the <c>aud</c> claim).</summary>
    public string? Audience { get; set; }

    /// <summary>A base64 HS256 key instead of an authority (a secret: from a file or a Secret, never logged).</summary>
    public string? SigningKey { get; set; }

    /// <summary>A file holding the base64 key instead (a mounted Secret, a compose secret); read once at start.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>With a signing key, the issuer tokens must name (<c>iss</c>); unset, any issuer.</summary>
    public string? Issuer { get; set; }

    /// <summary>Tolerated clock difference with the token issuer (the handler's default is 5 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a token that passed validation is accepted again without repeating it (at most until it expires); 0 = validate every request.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ValidationCacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The authority's metadata only over https (switch off for a local http issuer only).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Authority) || HasKey;

    private bool HasKey => !string.IsNullOrWhiteSpace(SigningKey) || !string.IsNullOrWhiteSpace(SigningKeyFile);

    private string KeyMember => string.IsNullOrWhiteSpace(SigningKeyFile) ? nameof(SigningKey) : nameof(SigningKeyFile);

    /// <summary>The signing key's bytes (from the key, else the file); null when unset, unreadable or not valid base64.</summary>
    public byte[]? SigningKeyBytes()
    {
        var text = SigningKey;
        if (string.IsNullOrWhiteSpace(text) && !string.IsNullOrWhiteSpace(SigningKeyFile))
        {
            try
            {
                text = File.ReadAllText(SigningKeyFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var hasAuthority = !string.IsNullOrWhiteSpace(Authority);
        var hasKey = HasKey;
        if (hasAuthority && hasKey)
        {
            yield return new ValidationResult("set an authority or a signing key, not both.", [KeyMember]);
        }

        if (!string.IsNullOrWhiteSpace(SigningKey) && !string.IsNullOrWhiteSpace(SigningKeyFile))
        {
            yield return new ValidationResult("set a signing key or a file holding it, not both.", [nameof(SigningKeyFile)]);
        }
        else if (!string.IsNullOrWhiteSpace(SigningKeyFile) && !File.Exists(SigningKeyFile))
        {
            yield return new ValidationResult("no such file (or it cannot be read).", [nameof(SigningKeyFile)]);
            yield break;
        }

        if (hasAuthority && string.IsNullOrWhiteSpace(Audience))
        {
            yield return new ValidationResult("an audience is required with an authority.", [nameof(Audience)]);
        }

        Uri? authority = null;
        if (hasAuthority && !Uri.TryCreate(Authority, UriKind.Absolute, out authority))
        {
            yield return new ValidationResult("not an absolute URL.", [nameof(Authority)]);
        }
        else if (authority is not null && RequireHttpsMetadata && authority.Scheme != Uri.UriSchemeHttps)
        {
            // The handler would refuse it at the first request, with a 500; say it at start.
            yield return new ValidationResult("must be https (or set Authentication:Jwt:RequireHttpsMetadata=false for a local issuer).", [nameof(Authority)]);
        }

        // The message never echoes the key.
        var key = SigningKeyBytes();
        if (hasKey && key is null)
        {
            yield return new ValidationResult("not valid base64.", [KeyMember]);
        }
        else if (key is { Length: < MinSigningKeyBytes })
        {
            yield return new ValidationResult($"too short: HS256 needs at least {MinSigningKeyBytes} bytes (256 bits).", [KeyMember]);
        }
    }
}
