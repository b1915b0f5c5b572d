using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
#if (WithAuth)
using MonitoredService.Security;
#endif

namespace MonitoredService.Items;

/// <summary>The sample domain: <c>/api/items</c> (create, get, list, delete).</summary>
public static class ItemsApi
{
    public const int MaxNameLength = 200;
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

#if (WithAuth)
    /// <summary>The scope a token needs to create or delete items (reads need a valid token only).</summary>
    public const string WriteScope = "items:write";
#endif

    /// <summary>Maps <c>items</c> under <paramref name="endpoints"/> (the host maps it under <c>/api</c>).</summary>
    public static RouteGroupBuilder MapItemsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/items").AddEndpointFilter<ItemsOperationsFilter>();
        var create = api.MapPost("", CreateItem).WithMetadata(new ItemsOperation("create"));
        api.MapGet("", ListItems).WithMetadata(new ItemsOperation("list"));
        api.MapGet("/{id}", GetItem).WithMetadata(new ItemsOperation("get"));
        var delete = api.MapDelete("/{id}", DeleteItem).WithMetadata(new ItemsOperation("delete"));
#if (WithAuth)
        create.RequireScope(WriteScope);
        delete.RequireScope(WriteScope);
#endif
        return api;
    }

    public static async Task<Results<Created<Item>, ValidationProblem>> CreateItem(
        [FromBody] CreateItemRequest request, IItemStore store, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim();
        var error = name switch
        {
            null or "" => "A name is required.",
            { Length: > MaxNameLength } => $"A name has at most {MaxNameLength} characters.",
            _ when name.Any(char.IsControl) => "A name cannot contain control characters.",
            _ => null,
        };
        if (error is not null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [error] });
        }

        var item = await store.CreateAsync(name!, cancellationToken);
        Activity.Current?.SetTag(ItemsTelemetry.ItemIdAttribute, item.Id);
        return TypedResults.Created($"/api/items/{item.Id}", item);
    }

    public static async Task<Results<Ok<Item>, ProblemHttpResult>> GetItem(
        long id, IItemStore store, CancellationToken cancellationToken)
    {
        Activity.Current?.SetTag(ItemsTelemetry.ItemIdAttribute, id);
        return await store.GetAsync(id, cancellationToken) is { } item ? TypedResults.Ok(item) : ItemNotFound(id);
    }

    public static async Task<Results<Ok<IReadOnlyList<Item>>, ValidationProblem>> ListItems(
        IItemStore store, CancellationToken cancellationToken, long afterId = 0, int limit = DefaultPageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (afterId < 0)
        {
            errors["afterId"] = ["afterId cannot be negative."];
        }

        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        }

        return errors.Count > 0
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(await store.ListAsync(afterId, limit, cancellationToken));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteItem(
        long id, IItemStore store, CancellationToken cancellationToken)
    {
        Activity.Current?.SetTag(ItemsTelemetry.ItemIdAttribute, id);
        return await store.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : ItemNotFound(id);
    }

    private static ProblemHttpResult ItemNotFound(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Item not found", detail: $"There is no item with id {id}.");
}
