using MonitoredService.Observability.Redaction;
using Serilog.Events;
using Serilog.Parsing;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// The fast path of the one line every request writes: the same bytes as the general path
/// (EcsFormatTests compares them), written from the fields read once, without walking the message
/// template or looking up a field name. The secret pre-check reads only what varies (the path, the
/// route, the method and the logger's name): the rest of the line is known when the formatter is made.
/// </summary>
internal sealed partial class EcsFormat
{
    private string? _cleanRoute;
    private string? _cleanMethod;
    private string? _cleanLogger;

    /// <summary>The fixed parts of the completion line, made once (after the field names they come from).</summary>
    private static class Completion
    {
        public static readonly byte[] MethodField = EcsNames[RequestCompletionEvent.Method];
        public static readonly byte[] PathField = EcsNames[RequestCompletionEvent.Path];
        public static readonly byte[] StatusField = EcsNames[RequestCompletionEvent.Status];
        public static readonly byte[] RouteField = EcsNames[RequestCompletionEvent.Route];
        public static readonly byte[] LoggerField = EcsNames[RequestCompletionEvent.SourceContext];

        /// <summary>The completion template, token by token: its text escaped into UTF-8 once, its properties by name.</summary>
        public static readonly (byte[] Text, string? Property, string? Format)[] MessageParts = [.. RequestCompletionEvent.Template.Tokens.Select(token => token switch
        {
            PropertyToken property => ([], property.PropertyName, property.Format),
            TextToken text => (Escaped(text.Text), (string?)null, (string?)null),
            _ => throw new InvalidOperationException($"Unexpected token {token}."),
        })];
    }

    private void FormatCompletion(in RequestCompletionEvent.Fields fields, Utf8Line output)
    {
        var start = output.Length;
        output.Write("{\"@timestamp\":\""u8);
        _timestamps.Write(fields.Timestamp.UtcDateTime, output);
        output.Write(Levels[(int)fields.Level]);
        foreach (var part in Completion.MessageParts)
        {
            switch (part.Property)
            {
                case null:
                    output.Write(part.Text);
                    break;
                case RequestCompletionEvent.Method:
                    JsonText.WriteEscaped(fields.Method, output);
                    break;
                case RequestCompletionEvent.Path:
                    JsonText.WriteEscaped(fields.Path, output);
                    break;
                case RequestCompletionEvent.Status:
                    JsonText.WriteFormatted(fields.Status, output, part.Format);
                    break;
                case RequestCompletionEvent.Elapsed when part.Format == JsonText.Thousandths:
                    JsonText.WriteThousandths(fields.ElapsedMilliseconds, output);
                    break;
                case RequestCompletionEvent.Elapsed:
                    JsonText.WriteFormatted(fields.ElapsedMilliseconds, output, part.Format);
                    break;
                default:
                    JsonText.WriteEscaped(fields.Route, output);
                    break;
            }
        }

        output.Write((byte)'"');
        output.Write(_serviceFields);
        WriteIds(fields.Ids, output);
        output.Write(Completion.MethodField);
        JsonText.WriteQuoted(fields.Method, output);
        output.Write(Completion.PathField);
        JsonText.WriteQuoted(fields.Path, output);
        output.Write(Completion.StatusField);
        JsonText.WriteFormatted(fields.Status, output);
        output.Write(",\"event.duration\":"u8);
        JsonText.WriteFormatted(Nanoseconds(fields.ElapsedMilliseconds), output);
        output.Write(Completion.RouteField);
        JsonText.WriteQuoted(fields.Route, output);
        output.Write(Completion.LoggerField);
        JsonText.WriteQuoted(fields.SourceContext, output);
        output.Write("}\n"u8);
        if (_completionFixedPartsMayHoldSecret
            || SecretRedactor.MayContainSecret(fields.Path)
            || MayHoldSecret(fields.Route, ref _cleanRoute)
            || MayHoldSecret(fields.Method, ref _cleanMethod)
            || MayHoldSecret(fields.SourceContext, ref _cleanLogger))
        {
            Redact(output, start);
        }
    }

    /// <summary>
    /// The pre-check of a bounded value (a route template, a folded method, the logger's name): the
    /// same string line after line, so the last one found clean is not read again. Shared by the
    /// threads that format: a value is remembered only once found clean.
    /// </summary>
    private static bool MayHoldSecret(string value, ref string? clean)
    {
        if (ReferenceEquals(value, Volatile.Read(ref clean)))
        {
            return false;
        }

        if (SecretRedactor.MayContainSecret(value))
        {
            return true;
        }

        Volatile.Write(ref clean, value);
        return false;
    }

    private static byte[] Escaped(string text)
    {
        var line = new Utf8Line();
        JsonText.WriteEscaped(text, line);
        return line.Written.ToArray();
    }

    /// <summary>Whether any text the fast path writes on every line (the template's text, the field names, the levels) has a hint of a secret.</summary>
    private static bool CompletionFixedPartsMayHoldSecret() =>
        Completion.MessageParts.Select(part => part.Text).Concat(Levels).Append(Completion.MethodField).Append(Completion.PathField).Append(Completion.StatusField).Append(Completion.RouteField).Append(Completion.LoggerField)
            .Any(bytes => SecretRedactor.MayContainSecret(bytes))
        || SecretRedactor.MayContainSecret(",\"event.duration\":{\"@timestamp\":\"");
}
