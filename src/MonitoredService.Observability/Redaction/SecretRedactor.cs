using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace MonitoredService.Observability.Redaction;

/// <summary>
/// Masks secrets in text bound for a log or a span: connection-string and query-string secrets
/// (<c>Password=…</c>, <c>token=…</c>, <c>api_key=…</c>), credentials in authorization and cookie
/// headers, user-info in URLs and JSON web tokens. The text keeps its shape (and stays valid JSON):
/// only the secret is replaced by <see cref="Mask"/>.
/// </summary>
internal static partial class SecretRedactor
{
    public const string Mask = "***";

    // A vectorised first pass: most lines contain none of these, and never reach the full pattern.
    // (Not "@": every ECS line has "@timestamp"; a URL with user-info has "://".)
    private static readonly SearchValues<string> Triggers = SearchValues.Create(
        ["pass", "pwd", "secret", "token", "key", "sig", "bearer", "basic", "digest", "negotiate", "ntlm",
         "authorization", "cookie", "eyj", "://"],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>The text with its secrets masked; the same instance when there is nothing to mask.</summary>
    public static string Redact(string text) =>
        MayContainSecret(text) ? Secrets().Replace(text, Replace) : text;

    /// <summary>False when the text certainly holds no secret this redactor would mask.</summary>
    public static bool MayContainSecret(ReadOnlySpan<char> text) => text.ContainsAny(Triggers);

    /// <summary>
    /// As <see cref="MayContainSecret(ReadOnlySpan{char})"/>, for UTF-8: ASCII (nearly every log line)
    /// is widened and checked as text; any other is assumed to (the full pattern decides).
    /// </summary>
    public static bool MayContainSecret(ReadOnlySpan<byte> utf8)
    {
        char[]? rented = null;
        var text = utf8.Length <= 2048 ? stackalloc char[utf8.Length] : (rented = ArrayPool<char>.Shared.Rent(utf8.Length)); // sized to the line: stack space is zeroed
        try
        {
            return Ascii.ToUtf16(utf8, text, out var widened) != OperationStatus.Done || MayContainSecret(text[..widened]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static string Replace(Match match) =>
        match.Groups["keep"].Success ? match.Groups["keep"].Value + Mask : Mask;

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
