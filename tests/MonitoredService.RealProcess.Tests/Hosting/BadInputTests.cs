using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace MonitoredService.RealProcess.Tests.Hosting;

/// <summary>
/// Hostile and broken requests, byte for byte over a raw socket (no client library normalises the
/// path or refuses the method): every one gets a 4xx, with a problem+json body wherever the answer
/// can have one, never a 5xx; and sending the whole table again with fresh random values adds no
/// metric series.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class BadInputTests(ITestOutputHelper output)
{
    /// <summary>Answers that Kestrel gives before any middleware runs: no problem body is possible.</summary>
    private static readonly int[] KestrelAnswers = [414, 431];

    private sealed record Case(string Name, string Method, string Target, string? ContentType, byte[] Body, int Status, params string[] Headers);

    private static IEnumerable<Case> Table(Random random)
    {
        var token = random.Next(1000, 9999);
        byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
        return
        [
            new("malformed JSON", "POST", "/api/items", "application/json", Json("{\"name\": \"x\""), 400),
            new("empty body", "POST", "/api/items", "application/json", [], 400),
            new("wrong type", "POST", "/api/items", "application/json", Json("{\"name\": 42}"), 400),
            new("array instead of object", "POST", "/api/items", "application/json", Json("[\"x\"]"), 400),
            new("deeply nested JSON", "POST", "/api/items", "application/json", Json(new string('[', 2000) + new string(']', 2000)), 400),
            new("invalid UTF-8", "POST", "/api/items", "application/json", [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], 400),
            new("control characters in the name", "POST", "/api/items", "application/json", Json("{\"name\": \"a\\u0000b\"}"), 400),
            new("oversized JSON", "POST", "/api/items", "application/json", Json($"{{\"name\": \"{new string('x', 100_000)}\"}}"), 413),
            new("wrong content type", "POST", "/api/items", "text/plain", Json("{\"name\": \"x\"}"), 415),
            new("no content type", "POST", "/api/items", null, Json("{\"name\": \"x\"}"), 415),
            new("overflowing id", "GET", $"/api/items/{token}99999999999999999999", null, [], 400),
            new("negative id", "GET", $"/api/items/-{token}", null, [], 404),
            new("id that is not a number", "GET", $"/api/items/abc{token}", null, [], 400),
            new("path traversal", "GET", $"/api/items/../../../etc/passwd{token}", null, [], 404),
            new("encoded path traversal", "GET", $"/api/items/%2e%2e%2f%2e%2e%2fetc%2fpasswd{token}", null, [], 400),
            new("limit out of range", "GET", $"/api/items?limit={1000 + token}", null, [], 400),
            new("limit not a number", "GET", $"/api/items?limit=many{token}", null, [], 400),
            new("unknown route", "GET", $"/wp-admin/{token}.php", null, [], 404),
            new("unknown method on a route", $"BREW{token % 7}", "/api/items", null, [], 405),
            new("unknown method on an unknown route", $"PURGE{token % 5}", $"/cache/{token}", null, [], 404),
            new("very long URL", "GET", "/api/items/" + new string('1', 10_000 + token), null, [], 414),
            new("very long header", "GET", "/api/items/1", null, [], 431, $"X-Filler: {new string('x', 40_000 + token)}"),
            new("invalid traceparent", "GET", $"/api/items/{token}", null, [], 404, $"traceparent: zz-{token}-not-a-trace"),
            new("traceparent of zeros", "GET", $"/api/items/{token}", null, [], 404, "traceparent: 00-00000000000000000000000000000000-0000000000000000-01"),
        ];
    }

    [Fact]
    public async Task EveryBadRequestGets4xxProblemJsonNeverA5xxAndAddsNoSeries()
    {
        await using var service = ServiceProcess.Start(new Dictionary<string, string> { ["Observability:Shutdown:DrainDelay"] = "00:00:00" });
        await service.WaitUntilReadyAsync();
        using var client = service.CreateClient();

        var first = await SendTableAsync(service, new Random(1));
        var seriesAfterFirst = HttpSeries(await Exposition.ScrapeAsync(client));
        var second = await SendTableAsync(service, new Random(2));
        var seriesAfterSecond = HttpSeries(await Exposition.ScrapeAsync(client));

        foreach (var (name, status, contentType) in first.Concat(second))
        {
            output.WriteLine($"{status} {contentType,-26} {name}");
        }

        using (new FluentAssertions.Execution.AssertionScope())
        {
            foreach (var (name, status, contentType) in first.Concat(second))
            {
                status.Should().BeInRange(400, 499, name);
                if (!KestrelAnswers.Contains(status))
                {
                    contentType.Should().Be("application/problem+json", name);
                }
            }

            first.Select(r => r.Status).Should().Equal(Table(new Random(1)).Select(c => c.Status), "each case gets its documented answer");
            seriesAfterSecond.Should().BeEquivalentTo(seriesAfterFirst, "fresh random paths, methods and ids add no series");
            seriesAfterSecond.Should().OnlyContain(series => !series.Contains("passwd") && !series.Contains("wp-admin") && !series.Contains("BREW"),
                "labels are route templates and known methods, never what the client sent");
        }
    }

    private async Task<List<(string Name, int Status, string? ContentType)>> SendTableAsync(ServiceProcess service, Random random)
    {
        var results = new List<(string, int, string?)>();
        foreach (var test in Table(random))
        {
            var (status, contentType) = await SendAsync(service, test);
            results.Add((test.Name, status, contentType));
        }

        return results;
    }

    /// <summary>One request on its own connection, exactly as given; the status and content type of the answer.</summary>
    private static async Task<(int Status, string? ContentType)> SendAsync(ServiceProcess service, Case test)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", service.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        var head = new StringBuilder($"{test.Method} {test.Target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var header in test.Headers)
        {
            head.Append(header).Append("\r\n");
        }

        if (test.ContentType is not null)
        {
            head.Append($"Content-Type: {test.ContentType}\r\n");
        }

        if (test.Method == "POST")
        {
            head.Append($"Content-Length: {test.Body.Length}\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        try
        {
            await stream.WriteAsync(test.Body);
        }
        catch (IOException)
        {
            // The server answered (413) and closed before reading the whole body: its answer is still there.
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = await reader.ReadToEndAsync(bound.Token);
        var status = StatusLine().Match(response);
        status.Success.Should().BeTrue($"{test.Name}: an HTTP answer, got '{response[..Math.Min(200, response.Length)]}'");
        var contentType = ContentTypeHeader().Match(response);
        return (int.Parse(status.Groups[1].Value), contentType.Success ? contentType.Groups[1].Value.Trim() : null);
    }

    /// <summary>The series (name and labels, no value) of the HTTP metric families.</summary>
    private static HashSet<string> HttpSeries(Exposition exposition) =>
        exposition.Series.Where(series => series.StartsWith("http_", StringComparison.Ordinal))
            .Select(series => series[..series.LastIndexOf(' ')])
            .ToHashSet();

    [GeneratedRegex(@"^HTTP/1\.1 (\d{3})")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"\r\nContent-Type: ([^;\r\n]+)", RegexOptions.IgnoreCase)]
    private static partial Regex ContentTypeHeader();
}
