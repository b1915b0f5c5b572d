using System.Net.Http.Json;
using System.Text.Json;

namespace MonitoredService.Testing;

public static class Responses
{
    /// <summary>Asserts an RFC 9457 problem answer and returns its JSON.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(status, "the body was {0}", body);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        var problem = JsonDocument.Parse(body).RootElement;
        problem.GetProperty("status").GetInt32().Should().Be(status);
        problem.GetProperty("title").GetString().Should().NotBeNullOrWhiteSpace();
        problem.GetProperty("traceId").GetString().Should().NotBeNullOrWhiteSpace();
        return problem;
    }

    /// <summary>The health JSON of AspNetCore.HealthChecks.UI.Client's writer.</summary>
    public static async Task<JsonElement> ReadHealthAsync(this HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/json");
        return (await response.Content.ReadFromJsonAsync<JsonElement>())!;
    }

    public static string EntryStatus(this JsonElement health, string entry) =>
        health.GetProperty("entries").GetProperty(entry).GetProperty("status").GetString()!;

    public static string EntryDescription(this JsonElement health, string entry) =>
        health.GetProperty("entries").GetProperty(entry).GetProperty("description").GetString()!;
}
