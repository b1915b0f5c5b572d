namespace MonitoredService.Observability.Logging.Otlp;

/// <summary>
/// Counts the log records of an OTLP <c>ExportLogsServiceRequest</c> from its protobuf: field 1 of
/// the request (ResourceLogs), field 2 of each (ScopeLogs), field 2 of each (LogRecord), per
/// opentelemetry-proto's logs.proto. Only lengths are read; nothing is decoded.
/// </summary>
internal static class OtlpLogRecords
{
    public static int Count(ReadOnlySpan<byte> request)
    {
        var count = 0;
        foreach (var (resourceStart, resourceLength) in Messages(request, 1))
        {
            var resourceLogs = request.Slice(resourceStart, resourceLength);
            foreach (var (scopeStart, scopeLength) in Messages(resourceLogs, 2))
            {
                count += Messages(resourceLogs.Slice(scopeStart, scopeLength), 2).Count;
            }
        }

        return count;
    }

    /// <summary>Where the length-delimited fields numbered <paramref name="field"/> of a message are.</summary>
    private static List<(int Start, int Length)> Messages(ReadOnlySpan<byte> message, int field)
    {
        var found = new List<(int, int)>();
        var position = 0;
        while (position < message.Length)
        {
            var tag = Varint(message, ref position);
            switch (tag & 7)
            {
                case 0: Varint(message, ref position); break;
                case 1: position += 8; break;
                case 5: position += 4; break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    if ((int)(tag >> 3) == field)
                    {
                        found.Add((position, length));
                    }

                    position += length;
                    break;
                default: throw new FormatException($"Unsupported protobuf wire type {tag & 7}.");
            }
        }

        return found;
    }

    private static ulong Varint(ReadOnlySpan<byte> message, ref int position)
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
