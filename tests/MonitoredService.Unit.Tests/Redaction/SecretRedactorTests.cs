using System.Text.Json;
using MonitoredService.Observability.Redaction;

namespace MonitoredService.Unit.Tests.Redaction;

/// <summary>Secrets masked in any text bound for a log or a span; the text keeps its shape.</summary>
public sealed class SecretRedactorTests
{
    [Theory]
    [InlineData("Host=db;Username=app;Password=s3cr3t;Database=items", "Host=db;Username=app;Password=***;Database=items")]
    [InlineData("Server=db;User Id=sa;Pwd=s3cr3t", "Server=db;User Id=sa;Pwd=***")]
    [InlineData("GET /api/items?token=abc123&limit=5", "GET /api/items?token=***&limit=5")]
    [InlineData("/callback?access_token=abc.def&state=1", "/callback?access_token=***&state=1")]
    [InlineData("https://x/y?api_key=k3y&sig=s1g", "https://x/y?api_key=***&sig=***")]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "Authorization: ***")]
    [InlineData("sent Bearer abcdefghijklmnop", "sent Bearer ***")]
    [InlineData("Cookie: session=abc; theme=dark", "Cookie: ***")]
    [InlineData("postgres://app:s3cr3t@db:5432/items", "postgres://***@db:5432/items")]
    [InlineData("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl in text", "token *** in text")]
    [InlineData("""{"password":"s3cr3t","user":"a"}""", """{"password":"***","user":"a"}""")]
    public void SecretsAreMasked(string text, string expected)
    {
        SecretRedactor.Redact(text).Should().Be(expected);
    }

    [Theory]
    [InlineData("HTTP GET /api/items/42 responded 200 in 1.234 ms (route /api/items/{id})")]
    [InlineData("Start-up complete after 110 ms; the instance is ready for traffic")]
    [InlineData("Password validation is not configured")]
    [InlineData("a key was pressed")]
    public void OrdinaryTextIsLeftAlone(string text)
    {
        SecretRedactor.Redact(text).Should().BeSameAs(text);
    }

    [Theory]
    [InlineData("""{"message":"conn Password=SECRETA\"b;c","x":1}""", "SECRETA")]
    [InlineData("""{"message":"Authorization: Bearer SECRETBSECRETB\\","y":"Cookie: SECRETC=b"}""", "SECRETB", "SECRETC")]
    [InlineData("""{"url.path":"/p?token=\u0022SECRETD&api_key=\\\\SECRETE","n":2}""", "SECRETD", "SECRETE")]
    [InlineData("""{"q":"token=\\\"SECRETF\"","p":"pwd=SECRET\u00e9G"}""", "SECRETF", "SECRET\\u00e9G")]
    public void RedactedJsonIsStillValidJsonWithoutTheSecret(string json, params string[] secrets)
    {
        var redacted = SecretRedactor.Redact(json);

        var parse = () => JsonDocument.Parse(redacted);
        parse.Should().NotThrow(redacted);
        redacted.Should().NotContainAny(secrets);
    }
}
