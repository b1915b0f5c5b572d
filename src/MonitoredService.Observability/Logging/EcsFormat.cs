using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// One JSON object per line with Elastic Common Schema field names. The request-completion event's
/// properties map to <c>http.*</c>, <c>url.path</c> and <c>event.duration</c> (nanoseconds); other
/// properties are kept under their own names. Written with Serilog's JSON value formatter rather
/// than a Serilog.Expressions template: the template measured 6.9 µs per event, this 1–2 µs, and on
/// a 2-core node that difference was a tenth of the request throughput (docs/observability.md).
/// </summary>
public sealed class EcsFormat : ITextFormatter
{
    public const string EcsVersion = "8.11.0";

    private static readonly string[] Levels = ["trace", "debug", "info", "warn", "error", "fatal"];

    /// <summary>Properties written under an ECS name instead of their own.</summary>
    private static readonly Dictionary<string, string> EcsNames = new(StringComparer.Ordinal)
    {
        ["SourceContext"] = "log.logger",
        ["HttpRequestMethod"] = "http.request.method",
        ["UrlPath"] = "url.path",
        ["HttpRoute"] = "http.route",
        ["HttpResponseStatusCode"] = "http.response.status_code",
    };

    private const string ElapsedMilliseconds = "ElapsedMilliseconds";

    private static readonly JsonValueFormatter Values = new(typeTagName: null);

    [ThreadStatic]
    private static StringWriter? t_message;

    private readonly string _serviceFields;

    private EcsFormat(ServiceIdentity service)
    {
        using var fields = new StringWriter(CultureInfo.InvariantCulture);
        Field(fields, "ecs.version", EcsVersion);
        Field(fields, "service.name", service.Name);
        Field(fields, "service.version", service.Version);
        Field(fields, "service.environment", service.Environment);
        Field(fields, "service.node.name", service.InstanceId);
        _serviceFields = fields.ToString();
    }

    /// <summary>The ECS formatter for this service, with secrets masked in the whole line.</summary>
    public static ITextFormatter Create(ServiceIdentity service) => new RedactingFormatter(new EcsFormat(service));

    public void Format(LogEvent logEvent, TextWriter output)
    {
        Span<char> timestamp = stackalloc char[33];
        logEvent.Timestamp.UtcDateTime.TryFormat(timestamp, out var length, "O", CultureInfo.InvariantCulture);
        output.Write("{\"@timestamp\":\"");
        output.Write(timestamp[..length]);
        output.Write("\",\"log.level\":\"");
        output.Write(Levels[(int)logEvent.Level]);
        output.Write("\",\"message\":");
        JsonValueFormatter.WriteQuotedJsonString(RenderMessage(logEvent), output);
        output.Write(_serviceFields);
        if (logEvent.TraceId is { } traceId)
        {
            Field(output, "trace.id", traceId.ToHexString());
        }

        if (logEvent.SpanId is { } spanId)
        {
            Field(output, "span.id", spanId.ToHexString());
        }

        if (logEvent.Exception is { } exception)
        {
            Field(output, "error.type", exception.GetType().FullName ?? exception.GetType().Name);
            Field(output, "error.message", exception.Message);
            Field(output, "error.stack_trace", exception.ToString());
        }

        foreach (var (name, value) in logEvent.Properties)
        {
            if (name == ElapsedMilliseconds && value is ScalarValue { Value: double milliseconds })
            {
                output.Write(",\"event.duration\":");
                output.Write(((long)Math.Round(milliseconds * 1_000_000)).ToString(CultureInfo.InvariantCulture));
                continue;
            }

            output.Write(',');
            JsonValueFormatter.WriteQuotedJsonString(EcsNames.GetValueOrDefault(name, name), output);
            output.Write(':');
            Values.Format(value, output);
        }

        output.Write("}\n");
    }

    /// <summary>The message with string values as they are (Serilog's own rendering quotes them).</summary>
    private static string RenderMessage(LogEvent logEvent)
    {
        var message = t_message ??= new StringWriter(CultureInfo.InvariantCulture);
        message.GetStringBuilder().Clear();
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            switch (token)
            {
                case TextToken text:
                    message.Write(text.Text);
                    break;
                case PropertyToken property when !logEvent.Properties.TryGetValue(property.PropertyName, out _):
                    message.Write(property.ToString());
                    break;
                case PropertyToken { Format: null } property when logEvent.Properties[property.PropertyName] is ScalarValue { Value: string text }:
                    message.Write(text);
                    break;
                case PropertyToken property:
                    logEvent.Properties[property.PropertyName].Render(message, property.Format, CultureInfo.InvariantCulture);
                    break;
            }
        }

        return message.ToString();
    }

    private static void Field(TextWriter output, string name, string value)
    {
        output.Write(',');
        JsonValueFormatter.WriteQuotedJsonString(name, output);
        output.Write(':');
        JsonValueFormatter.WriteQuotedJsonString(value, output);
    }
}
