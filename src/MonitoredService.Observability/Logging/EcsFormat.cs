using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// One JSON object per line with Elastic Common Schema field names. The request-completion event's
/// properties map to <c>http.*</c>, <c>url.path</c> and <c>event.duration</c> (nanoseconds); other
/// properties are kept under their own names. Written by hand rather than with a Serilog.Expressions
/// template (6.9 µs per event): the message is rendered into a reused buffer and escaped from it,
/// strings and common numbers are written from spans (<see cref="JsonText"/>), and only other values
/// go through Serilog's JSON value formatter. It runs on the sinks' threads (docs/benchmarks.md).
/// </summary>
public sealed class EcsFormat : ITextFormatter
{
    public const string EcsVersion = "8.11.0";

    private static readonly string[] Levels = ["trace", "debug", "info", "warn", "error", "fatal"];

    /// <summary>Properties written under an ECS name instead of their own.</summary>
    private static readonly FrozenDictionary<string, string> EcsNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["SourceContext"] = "log.logger",
        ["HttpRequestMethod"] = "http.request.method",
        ["UrlPath"] = "url.path",
        ["HttpRoute"] = "http.route",
        ["HttpResponseStatusCode"] = "http.response.status_code",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private const string ElapsedMilliseconds = "ElapsedMilliseconds";

    private static readonly JsonValueFormatter Values = new(typeTagName: null);

    [ThreadStatic]
    private static StringBuilder? t_message;

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
        output.Write("\",\"message\":\"");
        foreach (var chunk in RenderMessage(logEvent).GetChunks())
        {
            JsonText.WriteEscaped(chunk.Span, output);
        }

        output.Write('"');
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
                JsonText.WriteNumber((long)Math.Round(milliseconds * 1_000_000), output);
                continue;
            }

            output.Write(',');
            JsonText.WriteQuoted(EcsNames.GetValueOrDefault(name, name), output);
            output.Write(':');
            WriteValue(value, output);
        }

        output.Write("}\n");
    }

    /// <summary>Strings and the common numbers directly; anything else as Serilog writes it.</summary>
    private static void WriteValue(LogEventPropertyValue value, TextWriter output)
    {
        switch (value)
        {
            case ScalarValue { Value: string text }:
                JsonText.WriteQuoted(text, output);
                break;
            case ScalarValue { Value: int number }:
                JsonText.WriteNumber(number, output);
                break;
            case ScalarValue { Value: long number }:
                JsonText.WriteNumber(number, output);
                break;
            case ScalarValue { Value: double number } when double.IsFinite(number):
                JsonText.WriteNumber(number, output, "R");
                break;
            default:
                Values.Format(value, output);
                break;
        }
    }

    /// <summary>
    /// The message with string values as they are (Serilog's own rendering quotes them), into a
    /// per-thread buffer that is escaped from where it is (no string is made of it).
    /// </summary>
    private static StringBuilder RenderMessage(LogEvent logEvent)
    {
        var message = t_message ??= new StringBuilder(256);
        message.Clear();
        Span<char> formatted = stackalloc char[64];
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is TextToken text)
            {
                message.Append(text.Text);
            }
            else if (token is PropertyToken property)
            {
                if (!logEvent.Properties.TryGetValue(property.PropertyName, out var value))
                {
                    message.Append(property.ToString());
                }
                else if (value is ScalarValue { Value: string textValue } && property.Format is null)
                {
                    message.Append(textValue);
                }
                else if (value is ScalarValue { Value: ISpanFormattable formattable }
                    && formattable.TryFormat(formatted, out var written, property.Format, CultureInfo.InvariantCulture))
                {
                    message.Append(formatted[..written]);
                }
                else
                {
                    using var writer = new StringWriter(message, CultureInfo.InvariantCulture);
                    value.Render(writer, property.Format, CultureInfo.InvariantCulture);
                }
            }
        }

        if (message.Capacity > 16 * 1024)
        {
            t_message = null; // an exceptional message does not stay in memory
        }

        return message;
    }

    private static void Field(TextWriter output, string name, string value)
    {
        output.Write(',');
        JsonText.WriteQuoted(name, output);
        output.Write(':');
        JsonText.WriteQuoted(value, output);
    }
}
