using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MonitoredService.InProcess.Tests.Infrastructure;

namespace MonitoredService.InProcess.Tests.Items;

/// <summary>The items API's good paths, with the JSON contract of DESIGN.md.</summary>
public abstract class ItemsApiTests(ServiceFixture fixture)
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task CreateAnswers201WithTheItemAndItsLocation()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        using var response = await _client.PostAsJsonAsync("/api/items", new { name = "  first item  " });

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var item = await response.Content.ReadFromJsonAsync<JsonElement>();
        item.EnumerateObject().Select(property => property.Name).Should().Equal("id", "name", "createdAt");
        var id = item.GetProperty("id").GetInt64();
        id.Should().BePositive();
        item.GetProperty("name").GetString().Should().Be("first item", "surrounding whitespace is trimmed");
        item.GetProperty("createdAt").GetDateTimeOffset().Should().BeOnOrAfter(before).And.BeOnOrBefore(DateTimeOffset.UtcNow.AddSeconds(1));
        response.Headers.Location.Should().Be(new Uri($"/api/items/{id}", UriKind.Relative));
    }

    [Fact]
    public async Task GetAnswersTheItemThatWasCreated()
    {
        var created = await CreateAsync("fetch me");

        using var response = await _client.GetAsync($"/api/items/{created.GetProperty("id").GetInt64()}");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var item = await response.Content.ReadFromJsonAsync<JsonElement>();
        item.GetProperty("name").GetString().Should().Be("fetch me");
        item.GetProperty("createdAt").GetDateTimeOffset().Should().Be(created.GetProperty("createdAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task GetOfAnUnknownIdAnswers404Problem()
    {
        using var response = await _client.GetAsync("/api/items/987654321");

        var problem = await response.ShouldBeProblemAsync(404);
        problem.GetProperty("detail").GetString().Should().Be("There is no item with id 987654321.");
    }

    [Fact]
    public async Task ListAnswersItemsInIdOrderAPageAtATime()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await CreateAsync($"page item {i}")).GetProperty("id").GetInt64());
        }

        var firstPage = await _client.GetFromJsonAsync<JsonElement[]>($"/api/items?afterId={ids[0] - 1}&limit=3");
        var secondPage = await _client.GetFromJsonAsync<JsonElement[]>($"/api/items?afterId={ids[2]}&limit=3");

        firstPage!.Select(item => item.GetProperty("id").GetInt64()).Should().Equal(ids.Take(3));
        secondPage!.Select(item => item.GetProperty("id").GetInt64()).Should().StartWith(ids.Skip(3));
    }

    [Fact]
    public async Task ListWithoutParametersAnswersAnArray()
    {
        await CreateAsync("listed");

        using var response = await _client.GetAsync("/api/items");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var items = await response.Content.ReadFromJsonAsync<JsonElement>();
        items.ValueKind.Should().Be(JsonValueKind.Array);
        items.GetArrayLength().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task DeleteAnswers204AndTheItemIsGone()
    {
        var id = (await CreateAsync("delete me")).GetProperty("id").GetInt64();

        using var deleted = await _client.DeleteAsync($"/api/items/{id}");
        using var fetched = await _client.GetAsync($"/api/items/{id}");
        using var deletedAgain = await _client.DeleteAsync($"/api/items/{id}");

        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        await fetched.ShouldBeProblemAsync(404);
        await deletedAgain.ShouldBeProblemAsync(404);
    }

    private async Task<JsonElement> CreateAsync(string name)
    {
        using var response = await _client.PostAsJsonAsync("/api/items", new { name });
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

public sealed class SqliteItemsApiTests(ReadyServiceFixture fixture) : ItemsApiTests(fixture), IClassFixture<ReadyServiceFixture>;

#if (WithPostgres)
public sealed class PostgresItemsApiTests(PostgresServiceFixture fixture) : ItemsApiTests(fixture), IClassFixture<PostgresServiceFixture>;
#endif
