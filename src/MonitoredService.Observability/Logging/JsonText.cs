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
