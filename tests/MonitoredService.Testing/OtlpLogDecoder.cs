using System.Text;
using static MonitoredService.Testing.OtlpTraceDecoder;

namespace MonitoredService.Testing;

/// <summary>A log record as exported over OTLP, with its scope and resource.</summary>
public sealed record OtlpLogRecord(
    string Scope,
    int SeverityNumber,
    string SeverityText,
    string Body,
    string TraceId,
    string SpanId,
    IReadOnlyDictionary<string, object> Attributes,
    IReadOnlyDictionary<string, object> Resource);

/// <summary>
/// Decodes an OTLP <c>ExportLogsServiceRequest</c> (field numbers from opentelemetry-proto's logs.proto):
/// ResourceLogs (resource 1, scope_logs 2), ScopeLogs (scope 1, log_records 2), LogRecord (severity
/// number 2 and text 3, body 5, attributes 6, trace id 9, span id 10).
/// </summary>
public static class OtlpLogDecoder
{
    public static IEnumerable<OtlpLogRecord> Decode(byte[] payload)
    {
        foreach (var resourceLogs in Fields(payload).Where(field => field.Number == 1))
        {
            var resource = ResourceOf(resourceLogs.Bytes);

            foreach (var scopeLogs in Fields(resourceLogs.Bytes).Where(field => field.Number == 2))
            {
                var scope = ScopeNameOf(scopeLogs.Bytes);
                foreach (var record in Fields(scopeLogs.Bytes).Where(field => field.Number == 2))
                {
                    yield return Record(record.Bytes, scope, resource);
                }
            }
        }
    }

    private static OtlpLogRecord Record(byte[] bytes, string scope, IReadOnlyDictionary<string, object> resource)
    {
        int severity = 0;
        string severityText = "", body = "", traceId = "", spanId = "";
        var attributes = new Dictionary<string, object>();
        foreach (var field in Fields(bytes))
        {
            switch (field.Number)
            {
                case 2: severity = (int)field.Varint; break;
                case 3: severityText = Encoding.UTF8.GetString(field.Bytes); break;
                case 5: body = Fields(field.Bytes).FirstOrDefault(any => any.Number == 1) is { } text ? Encoding.UTF8.GetString(text.Bytes) : ""; break;
                case 6: Attribute(field.Bytes, attributes); break;
                case 9: traceId = Convert.ToHexStringLower(field.Bytes); break;
                case 10: spanId = Convert.ToHexStringLower(field.Bytes); break;
            }
        }

        return new OtlpLogRecord(scope, severity, severityText, body, traceId, spanId, attributes, resource);
    }
}
