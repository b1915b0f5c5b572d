using Microsoft.AspNetCore.Http.Metadata;

namespace MonitoredService.Items;

/// <summary>The operation an items endpoint performs, for the operations counter.</summary>
public sealed record ItemsOperation(string Name);

/// <summary>Counts every items operation by its outcome: success, not_found, invalid, error.</summary>
internal sealed class ItemsOperationsFilter(ItemsTelemetry telemetry) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var operation = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<ItemsOperation>()?.Name ?? "unknown";
        try
        {
            var result = await next(context);
            var status = (result is INestedHttpResult nested ? nested.Result : result) is IStatusCodeHttpResult { StatusCode: { } code } ? code : 200;
            telemetry.RecordOperation(operation, status switch
            {
                StatusCodes.Status404NotFound => "not_found",
                StatusCodes.Status400BadRequest => "invalid",
                < 400 => "success",
                _ => "error",
            });
            return result;
        }
        catch
        {
            telemetry.RecordOperation(operation, "error");
            throw;
        }
    }
}
