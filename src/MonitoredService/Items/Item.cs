namespace MonitoredService.Items;

/// <summary>An item as the API returns it: <c>{"id":1,"name":"...","createdAt":"..."}</c>.</summary>
public sealed record Item(long Id, string Name, DateTimeOffset CreatedAt);

/// <summary>The body of <c>POST /api/items</c>.</summary>
public sealed record CreateItemRequest(string? Name);
