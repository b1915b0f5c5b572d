using System.Text;
using static MonitoredService.Testing.OtlpTraceDecoder;

namespace MonitoredService.Testing;

/// <summary>One data point: its attributes, and its value (a gauge's or sum's) or count (a histogram's).</summary>
public sealed record OtlpPoint(IReadOnlyDictionary<string, object> Attributes, double Value, ulong Count);

/// <summary>A metric as exported over OTLP: its scope (meter), name, unit, kind and points, with the resource.</summary>
public sealed record OtlpMetric(
    string Scope, string Name, string Unit, string Kind, IReadOnlyList<OtlpPoint> Points, IReadOnlyDictionary<string, object> Resource);

/// <summary>
/// Decodes an OTLP <c>ExportMetricsServiceRequest</c> (field numbers from opentelemetry-proto's
/// metrics.proto): ResourceMetrics (resource 1, scope_metrics 2), ScopeMetrics (scope 1, metrics 2),
/// Metric (name 1, unit 3, gauge 5, sum 7, histogram 9), their data points (field 1): a number point
/// (double 4, int 6, attributes 7) or a histogram point (count 4, sum 5, attributes 9).
/// </summary>
public static class OtlpMetricDecoder
{
    public static IEnumerable<OtlpMetric> Decode(byte[] payload)
    {
        foreach (var resourceMetrics in Fields(payload).Where(field => field.Number == 1))
        {
            var resource = ResourceOf(resourceMetrics.Bytes);

            foreach (var scopeMetrics in Fields(resourceMetrics.Bytes).Where(field => field.Number == 2))
            {
                var scope = ScopeNameOf(scopeMetrics.Bytes);
                foreach (var metric in Fields(scopeMetrics.Bytes).Where(field => field.Number == 2))
                {
                    yield return Metric(metric.Bytes, scope, resource);
                }
            }
        }
    }

    private static OtlpMetric Metric(byte[] bytes, string scope, IReadOnlyDictionary<string, object> resource)
    {
        string name = "", unit = "", kind = "";
        var points = new List<OtlpPoint>();
        foreach (var field in Fields(bytes))
        {
            switch (field.Number)
            {
                case 1: name = Encoding.UTF8.GetString(field.Bytes); break;
                case 3: unit = Encoding.UTF8.GetString(field.Bytes); break;
                case 5 or 7:
                    kind = field.Number == 5 ? "gauge" : "sum";
                    points.AddRange(Fields(field.Bytes).Where(f => f.Number == 1).Select(point => NumberPoint(point.Bytes)));
                    break;
                case 9:
                    kind = "histogram";
                    points.AddRange(Fields(field.Bytes).Where(f => f.Number == 1).Select(point => HistogramPoint(point.Bytes)));
                    break;
            }
        }

        return new OtlpMetric(scope, name, unit, kind, points, resource);
    }

    private static OtlpPoint NumberPoint(byte[] bytes)
    {
        var attributes = new Dictionary<string, object>();
        double value = 0;
        foreach (var field in Fields(bytes))
        {
            switch (field.Number)
            {
                case 4: value = BitConverter.Int64BitsToDouble((long)field.Varint); break;
                case 6: value = (long)field.Varint; break;
                case 7: Attribute(field.Bytes, attributes); break;
            }
        }

        return new OtlpPoint(attributes, value, 0);
    }

    private static OtlpPoint HistogramPoint(byte[] bytes)
    {
        var attributes = new Dictionary<string, object>();
        ulong count = 0;
        double sum = 0;
        foreach (var field in Fields(bytes))
        {
            switch (field.Number)
            {
                case 4: count = field.Varint; break;
                case 5: sum = BitConverter.Int64BitsToDouble((long)field.Varint); break;
                case 9: Attribute(field.Bytes, attributes); break;
            }
        }

        return new OtlpPoint(attributes, sum, count);
    }
}
