using System.Buffers;
using System.Globalization;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// JSON string and number writing for the ECS line, from spans and without allocating: the same
/// escaping as Serilog's <c>JsonValueFormatter.WriteQuotedJsonString</c> (<c>\"</c>, <c>\\</c>,
/// <c>\n</c>, <c>\r</c>, <c>\f</c>, <c>\t</c>, other control characters as <c>\uXXXX</c>), with a
/// vectorised search for the characters that need it, which most text has none of.
/// </summary>
internal static class JsonText
{
    private static readonly SearchValues<char> NeedEscaping = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    public static void WriteQuoted(ReadOnlySpan<char> text, TextWriter output)
    {
        output.Write('"');
        WriteEscaped(text, output);
        output.Write('"');
    }

    /// <summary>The text escaped, without quotes (a string written in pieces, such as a StringBuilder's chunks).</summary>
    public static void WriteEscaped(ReadOnlySpan<char> text, TextWriter output)
    {
        while (text.IndexOfAny(NeedEscaping) is var next and >= 0)
        {
            output.Write(text[..next]);
            switch (text[next])
            {
                case '"':
                    output.Write("\\\"");
                    break;
                case '\\':
                    output.Write("\\\\");
                    break;
                case '\n':
                    output.Write("\\n");
                    break;
                case '\r':
                    output.Write("\\r");
                    break;
                case '\f':
                    output.Write("\\f");
                    break;
                case '\t':
                    output.Write("\\t");
                    break;
                default:
                    Span<char> unicode = ['\\', 'u', '0', '0', '0', '0'];
                    ((int)text[next]).TryFormat(unicode[2..], out _, "X4", CultureInfo.InvariantCulture);
                    output.Write(unicode);
                    break;
            }

            text = text[(next + 1)..];
        }

        output.Write(text);
    }

    /// <summary>A number as Serilog's JSON formatter writes it, formatted on the stack.</summary>
    public static void WriteNumber<T>(T value, TextWriter output, string? format = null)
        where T : ISpanFormattable
    {
        Span<char> digits = stackalloc char[64];
        if (value.TryFormat(digits, out var length, format, CultureInfo.InvariantCulture))
        {
            output.Write(digits[..length]);
        }
        else
        {
            output.Write(value.ToString(format, CultureInfo.InvariantCulture));
        }
    }
}
