using System.Text.RegularExpressions;

namespace MonitoredService.Observability.Redaction;

/// <summary>
/// Masks secrets in text bound for a log or a span: connection-string and query-string secrets
/// (<c>Password=…</c>, <c>token=…</c>, <c>api_key=…</c>), credentials in authorization and cookie
/// headers, user-info in URLs and JSON web tokens. The text keeps its shape (and stays valid JSON):
/// only the secret is replaced by <see cref="Mask"/>.
/// </summary>
public static partial class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>The text with its secrets masked; the same instance when there is nothing to mask.</summary>
    public static string Redact(string text) =>
        text.Length == 0 || !MayContainSecret().IsMatch(text) ? text : Secrets().Replace(text, Replace);

    private static string Replace(Match match) =>
        match.Groups["keep"].Success ? match.Groups["keep"].Value + Mask : Mask;

    // A cheap first pass: most log lines contain none of these words, and skip the full pattern.
    [GeneratedRegex(@"pass|pwd|secret|token|key|sig|bearer|basic|digest|negotiate|authorization|cookie|eyJ|://[^/\s""]*@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MayContainSecret();

    // Each alternative captures what stays ("keep") and consumes the secret after it. A secret value
    // consumes JSON escape sequences (\\, \" and \uXXXX) whole and ends at a bare quote or a lone
    // backslash, so that a JSON string is never cut inside an escape sequence.
    [GeneratedRegex("""
        (?<keep>\b(?:password|passwd|pwd|secret|client_secret|[a-z_]*token|api[_-]?key|apikey|access[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|sig|signature)"?\s*[=:]\s*(?:"|\\"|\\u0022)?)(?:[^\s;&,"'\\}\]]|\\[\\"]|\\u[0-9a-fA-F]{4})+
        |(?<keep>\b(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key)"?\s*[:=]\s*"?)[^"\\\r\n]+
        |(?<keep>\b(?:Bearer|Basic|Digest|Negotiate|NTLM)\s+)[A-Za-z0-9\-._~+/]{8,}=*
        |(?<keep>\b[a-z][a-z0-9+.\-]*://)[^/\s:@"\\]+:[^/\s@"\\]+(?=@)
        |\beyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex Secrets();
}
