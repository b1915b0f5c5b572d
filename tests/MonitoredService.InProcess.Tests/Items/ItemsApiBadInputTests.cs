using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Items;

/// <summary>Bad input gets a clear 4xx application/problem+json answer, never a 500.</summary>
public abstract class ItemsApiBadInputTests(ServiceFixture fixture)
{
    private readonly ServiceFixture _fixture = fixture;

    public static TheoryData<string, string, int, string> BadBodies => new()
    {
        { "malformed JSON", """{"name":""", 400, "Failed to read parameter \"CreateItemRequest request\" from the request body as JSON." },
        { "a number for the name", """{"name":5}""", 400, "Failed to read parameter \"CreateItemRequest request\" from the request body as JSON." },
        { "an array", """["x"]""", 400, "Failed to read parameter \"CreateItemRequest request\" from the request body as JSON." },
        { "an empty body", "", 400, "Required parameter \"CreateItemRequest request\" was not provided from body." },
        { "null", "null", 400, "Required parameter \"CreateItemRequest request\" was not provided from body." },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task CreateRejectsABodyThatIsNotAnItemWith400(string why, string body, int status, string detail)
    {
        using var response = await _fixture.Client.PostAsync("/api/items", Json(body));

        var problem = await response.ShouldBeProblemAsync(status);
        problem.GetProperty("detail").GetString().Should().Be(detail, why);
    }

    public static TheoryData<string, string> BadNames => new()
    {
        { """{}""", "A name is required." },
        { """{"name":null}""", "A name is required." },
        { """{"name":"   "}""", "A name is required." },
        { $$"""{"name":"{{new string('x', 201)}}"}""", "A name has at most 200 characters." },
        { """{"name":"tab\there"}""", "A name cannot contain control characters." },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task CreateRejectsAnInvalidNameWithAValidationProblem(string body, string error)
    {
        using var response = await _fixture.Client.PostAsync("/api/items", Json(body));

        var problem = await response.ShouldBeProblemAsync(400);
        problem.GetProperty("errors").GetProperty("name")[0].GetString().Should().Be(error);
    }

    [Fact]
    public async Task CreateAcceptsANameOfExactlyTheMaximumLength()
    {
        using var response = await _fixture.Client.PostAsync("/api/items", Json($$"""{"name":"{{new string('x', 200)}}"}"""));

        response.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task CreateRejectsANonJsonContentTypeWith415(string contentType)
    {
        using var content = new StringContent("""{"name":"x"}""", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var response = await _fixture.Client.PostAsync("/api/items", content);

        await response.ShouldBeProblemAsync(415);
    }

    [Theory]
    [InlineData("/api/items/abc", "Failed to bind parameter \"long id\" from \"abc\".")]
    [InlineData("/api/items/99999999999999999999", "Failed to bind parameter \"long id\" from \"99999999999999999999\".")]
    [InlineData("/api/items/1.5", "Failed to bind parameter \"long id\" from \"1.5\".")]
    public async Task AnIdThatIsNotA64BitIntegerAnswers400(string path, string detail)
    {
        using var get = await _fixture.Client.GetAsync(path);
        using var delete = await _fixture.Client.DeleteAsync(path);

        (await get.ShouldBeProblemAsync(400)).GetProperty("detail").GetString().Should().Be(detail);
        await delete.ShouldBeProblemAsync(400);
    }

    [Theory]
    [InlineData("/api/items/-1")]
    [InlineData("/api/items/0")]
    public async Task ANegativeOrZeroIdIsSimplyNotFound(string path)
    {
        using var response = await _fixture.Client.GetAsync(path);

        await response.ShouldBeProblemAsync(404);
    }

    [Theory]
    [InlineData("limit=0", "limit", "limit must be between 1 and 1000.")]
    [InlineData("limit=1001", "limit", "limit must be between 1 and 1000.")]
    [InlineData("afterId=-1", "afterId", "afterId cannot be negative.")]
    public async Task ListRejectsOutOfRangeParametersWithAValidationProblem(string query, string field, string error)
    {
        using var response = await _fixture.Client.GetAsync($"/api/items?{query}");

        var problem = await response.ShouldBeProblemAsync(400);
        problem.GetProperty("errors").GetProperty(field)[0].GetString().Should().Be(error);
    }

    [Theory]
    [InlineData("limit=abc")]
    [InlineData("afterId=x")]
    [InlineData("limit=99999999999")]
    public async Task ListRejectsParametersThatAreNotNumbersWith400(string query)
    {
        using var response = await _fixture.Client.GetAsync($"/api/items?{query}");

        await response.ShouldBeProblemAsync(400);
    }

    [Theory]
    [InlineData("GET", "/nothing-here")]
    [InlineData("GET", "/api")]
    [InlineData("GET", "/api/items/1/extra")]
    [InlineData("POST", "/api/unknown")]
    public async Task AnUnknownRouteAnswers404Problem(string method, string path)
    {
        using var response = await _fixture.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.ShouldBeProblemAsync(404);
    }

    [Theory]
    [InlineData("PUT", "/api/items")]
    [InlineData("PATCH", "/api/items/1")]
    [InlineData("POST", "/api/items/1")]
    [InlineData("BREW", "/api/items")]
    public async Task AnUnsupportedMethodAnswers405Problem(string method, string path)
    {
        using var response = await _fixture.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.ShouldBeProblemAsync(405);
    }

    [Fact]
    public async Task AStoreThatFailsAnswers503ProblemWithRetryAfterAndNoSecret()
    {
        _fixture.App.Store.Mode = StoreMode.Broken;
        try
        {
            using var response = await _fixture.Client.GetAsync("/api/items/1");

            var problem = await response.ShouldBeProblemAsync(503);
            problem.GetProperty("title").GetString().Should().Be("The item store is unavailable");
            response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(5));
            (await response.Content.ReadAsStringAsync()).Should().NotContain(ControllableItemStore.CanarySecret);
        }
        finally
        {
            _fixture.App.Store.Mode = StoreMode.Working;
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}

public sealed class SqliteItemsApiBadInputTests(ReadyServiceFixture fixture) : ItemsApiBadInputTests(fixture), IClassFixture<ReadyServiceFixture>;

#if (WithPostgres)
public sealed class PostgresItemsApiBadInputTests(PostgresServiceFixture fixture) : ItemsApiBadInputTests(fixture), IClassFixture<PostgresServiceFixture>;
#endif
