using System.Text;

namespace MonitoredService.Testing;

/// <summary>A span as exported over OTLP, with the resource it came from.</summary>
public sealed record OtlpSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    int StatusCode,
    IReadOnlyDictionary<string, object> Attributes,
    IReadOnlyList<(string Name, IReadOnlyDictionary<string, object> Attributes)> Events,
    IReadOnlyDictionary<string, object> Resource);

/// <summary>
/// Decodes just enough of an OTLP <c>ExportTraceServiceRequest</c> (protobuf wire format, field numbers
/// from opentelemetry-proto's trace.proto) to check resources, span names, ids, attributes and events.
/// </summary>
public static class OtlpTraceDecoder
{
    public static IEnumerable<OtlpSpan> Decode(byte[] payload)
    {
        foreach (var resourceSpans in Fields(payload).Where(field => field.Number == 1))
        {
            var resource = new Dictionary<string, object>();
            var spans = new List<byte[]>();
            foreach (var field in Fields(resourceSpans.Bytes))
            {
                if (field.Number == 1)
                {
                    Attributes(field.Bytes, 1, resource);
                }
                else if (field.Number == 2)
                {
                    spans.AddRange(Fields(field.Bytes).Where(scopeField => scopeField.Number == 2).Select(scopeField => scopeField.Bytes));
                }
            }

            foreach (var span in spans)
            {
                yield return Span(span, resource);
            }
        }
    }

    private static OtlpSpan Span(byte[] bytes, IReadOnlyDictionary<string, object> resource)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        int kind = 0, status = 0;
        var attributes = new Dictionary<string, object>();
        var events = new List<(string, IReadOnlyDictionary<string, object>)>();
        foreach (var field in Fields(bytes))
        {
            switch (field.Number)
            {
                case 1: traceId = Convert.ToHexStringLower(field.Bytes); break;
                case 2: spanId = Convert.ToHexStringLower(field.Bytes); break;
                case 4: parent = Convert.ToHexStringLower(field.Bytes); break;
                case 5: name = Encoding.UTF8.GetString(field.Bytes); break;
                case 6: kind = (int)field.Varint; break;
                case 9: Attribute(field.Bytes, attributes); break;
                case 11:
                    var eventName = "";
                    var eventAttributes = new Dictionary<string, object>();
                    foreach (var eventField in Fields(field.Bytes))
                    {
                        if (eventField.Number == 2)
                        {
                            eventName = Encoding.UTF8.GetString(eventField.Bytes);
                        }
                        else if (eventField.Number == 3)
                        {
                            Attribute(eventField.Bytes, eventAttributes);
                        }
                    }

                    events.Add((eventName, eventAttributes));
                    break;
                case 15:
                    status = (int)(Fields(field.Bytes).FirstOrDefault(statusField => statusField.Number == 3)?.Varint ?? 0);
                    break;
            }
        }

        return new OtlpSpan(traceId, spanId, parent, name, kind, status, attributes, events, resource);
    }

    /// <summary>The attributes of the Resource in field 1 of a ResourceSpans, ResourceLogs or ResourceMetrics.</summary>
    internal static Dictionary<string, object> ResourceOf(byte[] resourceContainer)
    {
        var resource = new Dictionary<string, object>();
        foreach (var field in Fields(resourceContainer).Where(field => field.Number == 1))
        {
            Attributes(field.Bytes, 1, resource);
        }

        return resource;
    }

    /// <summary>The name of the InstrumentationScope in field 1 of a ScopeLogs or ScopeMetrics.</summary>
    internal static string ScopeNameOf(byte[] scopeContainer) =>
        Fields(scopeContainer).Where(field => field.Number == 1)
            .SelectMany(field => Fields(field.Bytes)).FirstOrDefault(field => field.Number == 1) is { } name
            ? Encoding.UTF8.GetString(name.Bytes)
            : "";

    internal static void Attributes(byte[] message, int fieldNumber, Dictionary<string, object> into)
    {
        foreach (var field in Fields(message).Where(field => field.Number == fieldNumber))
        {
            Attribute(field.Bytes, into);
        }
    }

    /// <summary>A KeyValue: key = 1, AnyValue = 2 (string 1, bool 2, int 3, double 4).</summary>
    internal static void Attribute(byte[] keyValue, Dictionary<string, object> into)
    {
        var key = "";
        object value = "";
        foreach (var field in Fields(keyValue))
        {
            if (field.Number == 1)
            {
                key = Encoding.UTF8.GetString(field.Bytes);
            }
            else if (field.Number == 2 && Fields(field.Bytes).FirstOrDefault() is { } any)
            {
                value = any.Number switch
                {
                    1 => Encoding.UTF8.GetString(any.Bytes),
                    2 => any.Varint != 0,
                    3 => (long)any.Varint,
                    4 => BitConverter.Int64BitsToDouble((long)any.Varint),
                    _ => "",
                };
            }
        }

        into[key] = value;
    }

    internal sealed record Field(int Number, ulong Varint, byte[] Bytes);

    internal static IEnumerable<Field> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var number = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    yield return new Field(number, ReadVarint(message, ref position), []);
                    break;
                case 1:
                    yield return new Field(number, BitConverter.ToUInt64(message, position), message[position..(position + 8)]);
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    yield return new Field(number, 0, message[position..(position + length)]);
                    position += length;
                    break;
                case 5:
                    yield return new Field(number, BitConverter.ToUInt32(message, position), message[position..(position + 4)]);
                    position += 4;
                    break;
                default:
                    throw new FormatException($"Unsupported protobuf wire type {tag & 7}.");
            }
        }
    }

    private static ulong ReadVarint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
