using System.Globalization;
using MonitoredService.Observability.Logging;
using Serilog.Formatting.Json;

namespace MonitoredService.Unit.Tests.Logging;

/// <summary>The ECS line's own JSON writing escapes exactly as Serilog's formatter does.</summary>
public sealed class JsonTextTests
{
    [Theory]
    [InlineData("plain text")]
    [InlineData("quote \" backslash \\ slash /")]
    [InlineData("new\nline\rcarriage\ttab\fform\bbackspace\u0000nul\u001funit")]
    [InlineData("unicode: é ü 日本 🙂 \u2028")]
    [InlineData("")]
    public void EscapingIsSerilogsForKnownStrings(string text) => Compare(text);

    [Fact]
    public void EscapingIsSerilogsForRandomStrings()
    {
        var random = new Random(20261202);
        for (var i = 0; i < 2_000; i++)
        {
            var chars = new char[random.Next(0, 80)];
            for (var c = 0; c < chars.Length; c++)
            {
                chars[c] = random.Next(4) == 0 ? (char)random.Next(0, 0x30) : (char)random.Next(0x20, 0x3000);
            }

            Compare(new string(chars));
        }
    }

    [Fact]
    public void AStringWrittenInPiecesIsEscapedAsAWhole()
    {
        using var pieces = new StringWriter(CultureInfo.InvariantCulture);
        JsonText.WriteEscaped("a \"quoted", pieces);
        JsonText.WriteEscaped("\" word\n", pieces);

        pieces.ToString().Should().Be("a \\\"quoted\\\" word\\n");
    }

    private static void Compare(string text)
    {
        using var ours = new StringWriter(CultureInfo.InvariantCulture);
        using var serilogs = new StringWriter(CultureInfo.InvariantCulture);

        JsonText.WriteQuoted(text, ours);
        JsonValueFormatter.WriteQuotedJsonString(text, serilogs);

        ours.ToString().Should().Be(serilogs.ToString());
    }
}
