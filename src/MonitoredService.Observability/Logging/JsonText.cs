using System.Buffers;
using System.Globalization;
using System.Text.Unicode;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// JSON string and number writing for the ECS line, from UTF-16 text straight into UTF-8 and without
/// allocating: the same escaping as Serilog's <c>JsonValueFormatter.WriteQuotedJsonString</c>
/// (<c>\"</c>, <c>\\</c>, <c>\n</c>, <c>\r</c>, <c>\f</c>, <c>\t</c>, other control characters as
/// <c>\uXXXX</c>), with a vectorised search for the characters that need it, which most text has none
/// of, and the vectorised transcoder for the runs between them. An unpaired surrogate becomes U+FFFD,
/// as a UTF-8 text writer writes it.
/// </summary>
internal static class JsonText
{
    private static readonly SearchValues<char> NeedEscaping = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    public static void WriteQuoted(ReadOnlySpan<char> text, Utf8Line output)
    {
        output.Write((byte)'"');
        WriteEscaped(text, output);
        output.Write((byte)'"');
    }

    /// <summary>The text escaped, without quotes (a string written in pieces, such as a message's tokens).</summary>
    public static void WriteEscaped(ReadOnlySpan<char> text, Utf8Line output)
    {
        while (text.IndexOfAny(NeedEscaping) is var next and >= 0)
        {
            Transcode(text[..next], output);
            switch (text[next])
            {
                case '"':
                    output.Write("\\\""u8);
                    break;
                case '\\':
                    output.Write("\\\\"u8);
                    break;
                case '\n':
                    output.Write("\\n"u8);
                    break;
                case '\r':
                    output.Write("\\r"u8);
                    break;
                case '\f':
                    output.Write("\\f"u8);
                    break;
                case '\t':
                    output.Write("\\t"u8);
                    break;
                default:
                    output.Write("\\u"u8);
                    ((int)text[next]).TryFormat(output.GetSpan(4), out var written, "X4", CultureInfo.InvariantCulture);
                    output.Advance(written);
                    break;
            }

            text = text[(next + 1)..];
        }

        Transcode(text, output);
    }

    /// <summary>Text that is JSON already (or needs no escaping), as UTF-8.</summary>
    public static void WriteRaw(ReadOnlySpan<char> text, Utf8Line output) => Transcode(text, output);

    /// <summary>The format of a request's duration in milliseconds in its message: thousandths.</summary>
    public const string Thousandths = "F3";

    /// <summary>
    /// Milliseconds as <see cref="Thousandths"/> writes them (invariant), without the general float
    /// formatter, which took a tenth of the stdout writer's time per line (docs/benchmarks.md). The
    /// value scaled to thousandths is rounded as the format rounds its exact decimal value; scaled
    /// below 10⁹ its error is under 10⁻⁷, so only a value within 10⁻⁶ of a tie, a negative value or
    /// one from 10⁶ ms up takes the general path.
    /// </summary>
    public static void WriteThousandths(double milliseconds, Utf8Line output)
    {
        if (milliseconds is >= 0 and < 1e6 && !double.IsNegative(milliseconds))
        {
            var scaled = milliseconds * 1000;
            var whole = Math.Floor(scaled);
            var fraction = scaled - whole;
            if (Math.Abs(fraction - 0.5) > 1e-6)
            {
                var thousandths = (long)whole + (fraction > 0.5 ? 1 : 0);
                WriteFormatted(thousandths / 1000, output);
                var rest = (int)(thousandths % 1000);
                var digits = output.GetSpan(4);
                digits[0] = (byte)'.';
                digits[1] = (byte)('0' + (rest / 100));
                digits[2] = (byte)('0' + (rest / 10 % 10));
                digits[3] = (byte)('0' + (rest % 10));
                output.Advance(4);
                return;
            }
        }

        WriteFormatted(milliseconds, output, Thousandths);
    }

    /// <summary>A number as Serilog's JSON formatter writes it (or a timestamp), formatted in place.</summary>
    public static void WriteFormatted<T>(T value, Utf8Line output, string? format = null)
        where T : IUtf8SpanFormattable
    {
        for (var size = 32; ; size *= 2)
        {
            if (value.TryFormat(output.GetSpan(size), out var written, format, CultureInfo.InvariantCulture))
            {
                output.Advance(written);
                return;
            }
        }
    }

    private static void Transcode(ReadOnlySpan<char> text, Utf8Line output)
    {
        if (text.IsEmpty)
        {
            return;
        }

        // At most 3 bytes per UTF-16 unit (a surrogate pair is 2 units for 4 bytes): one call does it.
        Utf8.FromUtf16(text, output.GetSpan(text.Length * 3), out _, out var written, replaceInvalidSequences: true);
        output.Advance(written);
    }
}
