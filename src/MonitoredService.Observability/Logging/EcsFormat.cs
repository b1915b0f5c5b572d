using Serilog.Events;
using Serilog.Expressions;
using Serilog.Formatting;
using Serilog.Templates;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// One JSON object per line with Elastic Common Schema field names, written by a Serilog.Expressions
/// template (no hand-made JSON writer). Properties the template does not map are kept as they are
/// (<c>rest()</c>). The request-completion event's properties map to <c>http.*</c>, <c>url.path</c>
/// and <c>event.duration</c> (nanoseconds).
/// </summary>
public static class EcsFormat
{
    public const string EcsVersion = "8.11.0";

    private const string Template = """
        { {
          '@timestamp': UtcDateTime(@t),
          'log.level': EcsLevel(@l),
          'message': @m,
          'ecs.version': '8.11.0',
          'log.logger': SourceContext,
          'service.name': ServiceName,
          'service.version': ServiceVersion,
          'service.environment': ServiceEnvironment,
          'service.node.name': ServiceInstance,
          'trace.id': @tr,
          'span.id': @sp,
          'http.request.method': HttpRequestMethod,
          'url.path': UrlPath,
          'http.route': HttpRoute,
          'http.response.status_code': HttpResponseStatusCode,
          'event.duration': Round(ElapsedMilliseconds * 1000000, 0),
          'error.type': ErrorType(@x),
          'error.message': ErrorMessage(@x),
          'error.stack_trace': ErrorStackTrace(@x),
          ..rest()
        } }

        """;

    /// <summary>The ECS formatter, with secrets masked in the whole line.</summary>
    public static ITextFormatter Create() =>
        new RedactingFormatter(new ExpressionTemplate(Template, nameResolver: new StaticMemberNameResolver(typeof(EcsFunctions))));

    /// <summary>Functions the template calls; public because Serilog.Expressions binds them by reflection.</summary>
    public static class EcsFunctions
    {
        public static LogEventPropertyValue? EcsLevel(LogEventPropertyValue? level) =>
            level is ScalarValue { Value: LogEventLevel value }
                ? new ScalarValue(value switch
                {
                    LogEventLevel.Verbose => "trace",
                    LogEventLevel.Debug => "debug",
                    LogEventLevel.Information => "info",
                    LogEventLevel.Warning => "warn",
                    LogEventLevel.Error => "error",
                    _ => "fatal",
                })
                : null;

        public static LogEventPropertyValue? ErrorType(LogEventPropertyValue? exception) =>
            exception is ScalarValue { Value: Exception value } ? new ScalarValue(value.GetType().FullName) : null;

        public static LogEventPropertyValue? ErrorMessage(LogEventPropertyValue? exception) =>
            exception is ScalarValue { Value: Exception value } ? new ScalarValue(value.Message) : null;

        public static LogEventPropertyValue? ErrorStackTrace(LogEventPropertyValue? exception) =>
            exception is ScalarValue { Value: Exception value } ? new ScalarValue(value.ToString()) : null;
    }
}
