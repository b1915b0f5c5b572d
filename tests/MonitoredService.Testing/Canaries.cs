using System.Text;

namespace MonitoredService.Testing;

/// <summary>Canaries a client or an operator hands the service, which must come out of it nowhere.</summary>
public static class Canaries
{
    public const string Bearer = "canary-bearer-3e4f5a6b";
    public const string Cookie = "canary-cookie-7c8d9e0f";
    public const string QueryToken = "canary-query-1a2b3c4d";
    public const string PathPassword = "canary-path-5e6f7a8b";
    public const string DatabasePassword = "canary-db-9c0d1e2f";
    public const string ElasticsearchApiKey = "canary-es-key-3a4b5c6d";
    public const string OtlpHeader = "canary-otlp-7e8f9a0b";

    /// <summary>The password in the connection string the in-process tests' failing store quotes.</summary>
    public const string StorePassword = "canary-password-7f3a9c";

    public static readonly string[] All =
        [Bearer, Cookie, QueryToken, PathPassword, DatabasePassword, ElasticsearchApiKey, OtlpHeader, StorePassword];

    /// <summary>Requests that carry the client's canaries: an Authorization header, a cookie, a token in the query string, a password in the path.</summary>
    public static async Task SendAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/items?limit=1&access_token={QueryToken}&api_key={QueryToken}");
        request.Headers.Add("Authorization", $"Bearer {Bearer}");
        request.Headers.Add("Cookie", $"session={Cookie}");
        (await client.SendAsync(request)).Dispose();
        (await client.GetAsync($"/api/items/Password={PathPassword};")).Dispose();
        (await client.GetAsync("/api/items/1")).Dispose();
        using var create = new StringContent("{\"name\":\"canary item\"}", Encoding.UTF8, "application/json");
        (await client.PostAsync($"/api/items?token={QueryToken}", create)).Dispose();
    }

    /// <summary>Every probe body and /metrics (text and OpenMetrics), as one text.</summary>
    public static async Task<string> ProbesAndMetricsAsync(HttpClient client)
    {
        var text = new StringBuilder();
        foreach (var path in new[] { "/health/live", "/health/ready", "/health/startup", "/metrics" })
        {
            using var answer = await client.GetAsync(path); // 503 too: a failing probe's body counts most
            text.Append(await answer.Content.ReadAsStringAsync()).Append('\n');
        }

        using var openMetrics = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        openMetrics.Headers.Add("Accept", "application/openmetrics-text; version=1.0.0");
        using var response = await client.SendAsync(openMetrics);
        return text.Append(await response.Content.ReadAsStringAsync()).ToString();
    }
}
