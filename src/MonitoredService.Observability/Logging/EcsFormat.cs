using System.Buffers;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using MonitoredService.Observability.Redaction;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// One JSON object per line with Elastic Common Schema field names, secrets masked in the whole line.
/// The request-completion event's properties map to <c>http.*</c>, <c>url.path</c> and
/// <c>event.duration</c> (nanoseconds); other properties are kept under their own names.
/// </summary>
/// <remarks>
/// Written by hand, in UTF-8, rather than with a Serilog.Expressions template (6.9 µs per event) or
/// into text that is then encoded: inside a loaded service a line cost five times what it cost in a
/// micro-benchmark, so the work per line is kept small (docs/benchmarks.md). Everything fixed (the
/// service fields, the ECS field names with their punctuation, the level names) is UTF-8 made once;
/// the message is rendered token by token straight into the line, strings are escaped and transcoded
/// from spans (<see cref="JsonText"/>), numbers and ids are formatted in place, and only other values
/// go through Serilog's JSON value formatter. The secret pre-check reads the finished line once; the
/// full redaction (rare) re-reads it as text. <see cref="Format(LogEvent, TextWriter)"/> gives the same
/// line as text, for the Elasticsearch sink.
/// </remarks>
internal sealed partial class EcsFormat : ITextFormatter, IUtf8Formatter
{
    public const string EcsVersion = "8.11.0";

    private static readonly byte[][] Levels = [.. new[] { "trace", "debug", "info", "warn", "error", "fatal" }
        .Select(level => Encoding.UTF8.GetBytes($"\",\"log.level\":\"{level}\",\"message\":\""))];

    /// <summary>Properties written under an ECS name instead of their own (the OTLP log records use the same names).</summary>
    internal static readonly FrozenDictionary<string, string> FieldNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["SourceContext"] = "log.logger",
        ["HttpRequestMethod"] = "http.request.method",
        ["UrlPath"] = "url.path",
        ["HttpRoute"] = "http.route",
        ["HttpResponseStatusCode"] = "http.response.status_code",
        ["ClientAddress"] = "client.address",
        ["EventReason"] = "event.reason",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary><see cref="FieldNames"/> as written: the name, quoted, with its comma and colon.</summary>
    private static readonly FrozenDictionary<string, byte[]> EcsNames =
        FieldNames.ToFrozenDictionary(pair => pair.Key, pair => Encoding.UTF8.GetBytes($",\"{pair.Value}\":"), StringComparer.Ordinal);

    private const string ElapsedMilliseconds = "ElapsedMilliseconds";

    private static readonly JsonValueFormatter Values = new(typeTagName: null);

    [ThreadStatic]
    private static Utf8Line? t_line;

    [ThreadStatic]
    private static StringWriter? t_text;

    private readonly byte[] _serviceFields;
    private readonly Utf8Timestamp _timestamps = new();

    /// <summary>Whether the parts of a completion line that do not vary may hold a secret (then its fast path checks the whole line).</summary>
    private readonly bool _completionFixedPartsMayHoldSecret;

    private EcsFormat(ServiceIdentity service)
    {
        var fields = new Utf8Line();
        Field(fields, ",\"ecs.version\":"u8, EcsVersion);
        Field(fields, ",\"service.name\":"u8, service.Name);
        Field(fields, ",\"service.version\":"u8, service.Version);
        Field(fields, ",\"service.environment\":"u8, service.Environment);
        Field(fields, ",\"service.node.name\":"u8, service.InstanceId);
        _serviceFields = fields.Written.ToArray();
        _completionFixedPartsMayHoldSecret = SecretRedactor.MayContainSecret(_serviceFields) || CompletionFixedPartsMayHoldSecret();
    }

    /// <summary>The ECS formatter for this service.</summary>
    public static EcsFormat Create(ServiceIdentity service) => new(service);

    /// <summary>The line as text (the Elasticsearch sink's form): formatted as UTF-8, then decoded.</summary>
    public void Format(LogEvent logEvent, TextWriter output)
    {
        var line = t_line ??= new Utf8Line();
        line.Clear();
        Format(logEvent, line);
        var text = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(line.Length));
        output.Write(text, 0, Encoding.UTF8.GetChars(line.Written, text));
        ArrayPool<char>.Shared.Return(text);
    }

    /// <summary>The line, with its newline, appended to <paramref name="output"/> as UTF-8.</summary>
    void IUtf8Formatter.Format(LogEvent logEvent, Utf8Line output) => Format(logEvent, output);

    /// <summary>A request-completion line, from its fields (<see cref="RequestCompletionEvent.TryRead"/>): the same bytes as from its event.</summary>
    void IUtf8Formatter.Format(in RequestCompletionEvent.Fields completion, Utf8Line output) => FormatCompletion(completion, output);

    internal void Format(LogEvent logEvent, Utf8Line output)
    {
        if (RequestCompletionEvent.TryRead(logEvent, out var completion))
        {
            FormatCompletion(completion, output);
            return;
        }

        var start = output.Length;
        output.Write("{\"@timestamp\":\""u8);
        _timestamps.Write(logEvent.Timestamp.UtcDateTime, output);
        output.Write(Levels[(int)logEvent.Level]);
        WriteMessage(logEvent, output);
        output.Write((byte)'"');
        output.Write(_serviceFields);
        WriteIds(new RequestCompletionEvent.HexIds(logEvent.TraceId, logEvent.SpanId), output);
        if (logEvent.Exception is { } exception)
        {
            Field(output, ",\"error.type\":"u8, exception.GetType().FullName ?? exception.GetType().Name);
            Field(output, ",\"error.message\":"u8, exception.Message);
            Field(output, ",\"error.stack_trace\":"u8, exception.ToString());
        }

        if (logEvent.Properties is Dictionary<string, LogEventPropertyValue> properties)
        {
            foreach (var (name, value) in properties) // Serilog's own dictionary: its enumerator is not boxed
            {
                WriteProperty(name, value, output);
            }
        }
        else
        {
            foreach (var (name, value) in logEvent.Properties)
            {
                WriteProperty(name, value, output);
            }
        }

        output.Write("}\n"u8);
        Redact(output, start);
    }

    private static void WriteProperty(string name, LogEventPropertyValue value, Utf8Line output)
    {
        if (name == ElapsedMilliseconds && value is ScalarValue { Value: double milliseconds })
        {
            output.Write(",\"event.duration\":"u8);
            JsonText.WriteFormatted(Nanoseconds(milliseconds), output);
            return;
        }

        if (EcsNames.TryGetValue(name, out var ecsName))
        {
            output.Write(ecsName);
        }
        else
        {
            output.Write((byte)',');
            JsonText.WriteQuoted(name, output);
            output.Write((byte)':');
        }

        switch (value)
        {
            case ScalarValue { Value: string text }:
                JsonText.WriteQuoted(text, output);
                break;
            case ScalarValue { Value: int number }:
                JsonText.WriteFormatted(number, output);
                break;
            case ScalarValue { Value: long number }:
                JsonText.WriteFormatted(number, output);
                break;
            case ScalarValue { Value: double number } when double.IsFinite(number):
                JsonText.WriteFormatted(number, output, "R");
                break;
            default:
                // Anything else as Serilog writes it (JSON already), through a per-thread buffer.
                var json = t_text ??= new StringWriter(CultureInfo.InvariantCulture);
                json.GetStringBuilder().Clear();
                Values.Format(value, json);
                WriteRaw(json.GetStringBuilder(), output);
                break;
        }
    }

    /// <summary>
    /// The message, token by token, escaped into the line: string values as they are (Serilog's own
    /// rendering quotes them), formattable values formatted on the stack, others rendered by Serilog.
    /// </summary>
    private static void WriteMessage(LogEvent logEvent, Utf8Line output)
    {
        Span<char> formatted = stackalloc char[64];
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is TextToken text)
            {
                JsonText.WriteEscaped(text.Text, output);
            }
            else if (token is PropertyToken property)
            {
                if (!logEvent.Properties.TryGetValue(property.PropertyName, out var value))
                {
                    JsonText.WriteEscaped(property.ToString(), output);
                }
                else if (value is ScalarValue { Value: string textValue } && property.Format is null)
                {
                    JsonText.WriteEscaped(textValue, output);
                }
                else if (value is ScalarValue { Value: ISpanFormattable formattable }
                    && formattable.TryFormat(formatted, out var written, property.Format, CultureInfo.InvariantCulture))
                {
                    JsonText.WriteEscaped(formatted[..written], output);
                }
                else
                {
                    var rendered = t_text ??= new StringWriter(CultureInfo.InvariantCulture);
                    rendered.GetStringBuilder().Clear();
                    value.Render(rendered, property.Format, CultureInfo.InvariantCulture);
                    WriteEscaped(rendered.GetStringBuilder(), output);
                }
            }
        }
    }

    /// <summary>Masks secrets in the line written from <paramref name="start"/> on, when the pre-check finds a hint of one.</summary>
    private static void Redact(Utf8Line output, int start)
    {
        var line = output.Written[start..];
        if (!SecretRedactor.MayContainSecret(line))
        {
            return;
        }

        var text = Encoding.UTF8.GetString(line);
        var redacted = SecretRedactor.Redact(text);
        if (!ReferenceEquals(redacted, text))
        {
            output.Truncate(start);
            JsonText.WriteRaw(redacted, output);
        }
    }

    private static void WriteRaw(StringBuilder text, Utf8Line output) => JsonText.WriteRaw(Whole(text).Span, output);

    private static void WriteEscaped(StringBuilder text, Utf8Line output) => JsonText.WriteEscaped(Whole(text).Span, output);

    /// <summary>The builder's text in one piece (a surrogate pair must not be split in two).</summary>
    private static ReadOnlyMemory<char> Whole(StringBuilder text)
    {
        var chunks = text.GetChunks();
        if (!chunks.MoveNext())
        {
            return ReadOnlyMemory<char>.Empty;
        }

        var first = chunks.Current;
        return chunks.MoveNext() ? text.ToString().AsMemory() : first;
    }

    /// <summary>The trace and span ids as W3C trace context writes them (quoted lower-case hex: the ids' own text), absent outside a trace.</summary>
    private static void WriteIds(in RequestCompletionEvent.HexIds ids, Utf8Line output)
    {
        if (ids.Trace is { IsEmpty: false } trace)
        {
            output.Write(",\"trace.id\":\""u8);
            output.Write(trace);
            output.Write((byte)'"');
        }

        if (ids.Span is { IsEmpty: false } span)
        {
            output.Write(",\"span.id\":\""u8);
            output.Write(span);
            output.Write((byte)'"');
        }
    }

    /// <summary>ECS's <c>event.duration</c>: nanoseconds.</summary>
    private static long Nanoseconds(double milliseconds) => (long)Math.Round(milliseconds * 1_000_000);

    private static void Field(Utf8Line output, ReadOnlySpan<byte> name, string value)
    {
        output.Write(name);
        JsonText.WriteQuoted(value, output);
    }
}
