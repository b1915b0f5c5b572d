using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MonitoredService.Observability.Logging;
using Serilog.Events;

namespace MonitoredService.Observability.Management;

/// <summary>
/// <c>/loggers</c>: the levels in force, and runtime changes of one category's level that revert by
/// themselves (<see cref="LogLevelOverrides"/>). <c>POST /loggers/{category}</c> with
/// <c>{"level":"Debug","duration":"00:10:00"}</c> (duration optional: 10 minutes, at most 1 hour);
/// <c>{"level":null}</c> reverts at once. The caller may name itself in the standard <c>From</c>
/// header (an e-mail address); the audit event records it and the caller's address. Bad input is
/// answered 400 problem+json, an override beyond <see cref="LogLevelOverrides.MaxOverrides"/> 409.
/// </summary>
internal static partial class LoggersApi
{
    public const string Path = "/loggers";

    private static readonly string[] LevelNames = Enum.GetNames<LogEventLevel>();

    public static IEndpointRouteBuilder MapLoggersApi(this IEndpointRouteBuilder endpoints, LogLevels levels, LogLevelOverrides overrides)
    {
        endpoints.MapGet(Path, context => context.Response.WriteAsJsonAsync(new
        {
            levels = LevelNames,
            loggers = levels.Configured.Keys.Concat(overrides.InForce().Select(o => o.Category)).Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToDictionary(category => category, category => State(category, levels, overrides)),
        }, context.RequestAborted));
        endpoints.MapGet(Path + "/{category}", context =>
            Category(context) is { } category
                ? context.Response.WriteAsJsonAsync(State(category, levels, overrides), context.RequestAborted)
                : Problem(context, StatusCodes.Status400BadRequest, CategoryRule));
        endpoints.MapPost(Path + "/{category}", context => ChangeAsync(context, levels, overrides));
        return endpoints;
    }

    private const string CategoryRule = "A category is 1 to 200 characters: letters, digits and . _ - + ` < >.";

    private static async Task ChangeAsync(HttpContext context, LogLevels levels, LogLevelOverrides overrides)
    {
        if (Category(context) is not { } category)
        {
            await Problem(context, StatusCodes.Status400BadRequest, CategoryRule);
            return;
        }

        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            await Problem(context, StatusCodes.Status400BadRequest, """The body is not JSON: send {"level":"Debug","duration":"00:10:00"}.""");
            return;
        }

        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("level", out var level))
        {
            await Problem(context, StatusCodes.Status400BadRequest, """The body names no level: send {"level":"Debug"}, or {"level":null} to revert.""");
            return;
        }

        var requestedBy = context.Request.Headers.From.ToString() is { Length: > 0 and <= 200 } from ? from : "anonymous";
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (level.ValueKind == JsonValueKind.Null)
        {
            overrides.Revert(category, requestedBy, address);
            await context.Response.WriteAsJsonAsync(State(category, levels, overrides), context.RequestAborted);
            return;
        }

        if (level.ValueKind != JsonValueKind.String || !LogLevels.TryParse(level.GetString(), out var parsed))
        {
            await Problem(context, StatusCodes.Status400BadRequest, $"'level' must be one of {string.Join(", ", LevelNames)}, or null to revert.");
            return;
        }

        var duration = LogLevelOverrides.DefaultDuration;
        if (body.TryGetProperty("duration", out var given) && given.ValueKind != JsonValueKind.Null
            && (given.ValueKind != JsonValueKind.String || !TimeSpan.TryParse(given.GetString(), System.Globalization.CultureInfo.InvariantCulture, out duration)
                || duration <= TimeSpan.Zero || duration > LogLevelOverrides.MaxDuration))
        {
            await Problem(context, StatusCodes.Status400BadRequest,
                $"'duration' must be a time span above zero and at most {LogLevelOverrides.MaxDuration:c} (hh:mm:ss); the default is {LogLevelOverrides.DefaultDuration:c}.");
            return;
        }

        if (overrides.Set(category, parsed, duration, requestedBy, address, out _) == LogLevelOverrides.Refusal.TooMany)
        {
            await Problem(context, StatusCodes.Status409Conflict,
                $"{LogLevelOverrides.MaxOverrides} overrides are in force already: revert one first.");
            return;
        }

        await context.Response.WriteAsJsonAsync(State(category, levels, overrides), context.RequestAborted);
    }

    private static object State(string category, LogLevels levels, LogLevelOverrides overrides)
    {
        var (inForce, effective) = overrides.Of(category); // one snapshot: a revert between two reads would contradict itself
        return new
        {
            configuredLevel = levels.Configured.TryGetValue(category, out var configured) ? configured.ToString() : null,
            effectiveLevel = effective.ToString(),
            @override = inForce is { } o
                ? new { level = o.Level.ToString(), until = o.Until.ToString("O"), requestedBy = o.RequestedBy, from = o.From }
                : null,
        };
    }

    private static string? Category(HttpContext context) =>
        context.Request.RouteValues["category"] is string category && CategoryPattern().IsMatch(category) ? category : null;

    private static Task Problem(HttpContext context, int status, string detail) =>
        Results.Problem(detail: detail, statusCode: status).ExecuteAsync(context);

    [GeneratedRegex("^[A-Za-z0-9._+`<>-]{1,200}$")]
    private static partial Regex CategoryPattern();
}
