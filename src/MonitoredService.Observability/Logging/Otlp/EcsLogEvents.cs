using MonitoredService.Observability.Redaction;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace MonitoredService.Observability.Logging.Otlp;

/// <summary>
/// An event as the OTLP log record should carry it: the fields of the ECS line under the same names,
/// and the same redaction. Properties take their ECS names (<see cref="EcsFormat.FieldNames"/>;
/// the elapsed milliseconds become <c>event.duration</c> in nanoseconds), an exception becomes
/// <c>error.type</c>, <c>error.message</c> and <c>error.stack_trace</c>, and any text that may hold a
/// secret is masked as on stdout: property values, the rendered message (the record's body) and the
/// template (attribute <c>message_template.text</c>). The source context stays as it is: the
/// sink makes it the record's instrumentation scope (the ECS line's <c>log.logger</c>).
/// </summary>
internal static class EcsLogEvents
{
    public static LogEvent Map(LogEvent logEvent)
    {
        var properties = new List<LogEventProperty>(logEvent.Properties.Count + 3);
        foreach (var (name, value) in logEvent.Properties)
        {
            if (name == "ElapsedMilliseconds" && value is ScalarValue { Value: double milliseconds })
            {
                properties.Add(new LogEventProperty("event.duration", new ScalarValue((long)Math.Round(milliseconds * 1_000_000))));
                continue;
            }

            var field = name != Constants.SourceContextPropertyName && EcsFormat.FieldNames.TryGetValue(name, out var ecsName) ? ecsName : name;
            properties.Add(new LogEventProperty(field, Redacted(value)));
        }

        if (logEvent.Exception is { } exception)
        {
            properties.Add(new LogEventProperty("error.type", new ScalarValue(exception.GetType().FullName ?? exception.GetType().Name)));
            properties.Add(new LogEventProperty("error.message", new ScalarValue(SecretRedactor.Redact(exception.Message))));
            properties.Add(new LogEventProperty("error.stack_trace", new ScalarValue(SecretRedactor.Redact(exception.ToString()))));
        }

        // The sink's body is the template's text: the rendered message (the ECS line's "message") as
        // the only token makes it the body; the template itself stays, masked, as an attribute.
        properties.Add(new LogEventProperty("message_template.text", new ScalarValue(SecretRedactor.Redact(logEvent.MessageTemplate.Text))));
        var template = new MessageTemplate([new TextToken(SecretRedactor.Redact(Render(logEvent)))]);
        return new LogEvent(logEvent.Timestamp, logEvent.Level, exception: null, template, properties, logEvent.TraceId ?? default, logEvent.SpanId ?? default);
    }

    /// <summary>The message as the ECS line writes it: strings without quotes, other values formatted.</summary>
    private static string Render(LogEvent logEvent)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is PropertyToken property && logEvent.Properties.TryGetValue(property.PropertyName, out var value)
                && value is ScalarValue { Value: string literal })
            {
                text.Write(literal);
            }
            else
            {
                token.Render(logEvent.Properties, text, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return text.ToString();
    }

    private static LogEventPropertyValue Redacted(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } when SecretRedactor.MayContainSecret(text) => new ScalarValue(SecretRedactor.Redact(text)),
        ScalarValue => value,
        _ when SecretRedactor.MayContainSecret(value.ToString()) => new ScalarValue(SecretRedactor.Redact(value.ToString())),
        _ => value,
    };
}
