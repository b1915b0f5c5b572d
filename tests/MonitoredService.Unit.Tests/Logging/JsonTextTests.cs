using System.Globalization;
using System.Text;
using MonitoredService.Observability.Logging;
using Serilog.Formatting.Json;

namespace MonitoredService.Unit.Tests.Logging;

/// <summary>The ECS line's own JSON writing (UTF-8) escapes exactly as Serilog's formatter does.</summary>
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
        var pieces = new Utf8Line();
        JsonText.WriteEscaped("a \"quoted", pieces);
        JsonText.WriteEscaped("\" word\n", pieces);

        Encoding.UTF8.GetString(pieces.Written).Should().Be("a \\\"quoted\\\" word\\n");
    }

    [Fact]
    public void AnUnpairedSurrogateBecomesTheReplacementCharacterAsAUtf8WriterWritesIt()
    {
        var ours = new Utf8Line();
        JsonText.WriteQuoted("a\ud800b 🙂", ours);

        ours.Written.ToArray().Should().Equal(Encoding.UTF8.GetBytes("\"a\ufffdb 🙂\""));
    }

    [Fact]
    public void ALineLongerThanItsFirstArrayGrows()
    {
        var line = new Utf8Line();
        var text = new string('x', 10_000) + "é";
        JsonText.WriteQuoted(text, line);

        Encoding.UTF8.GetString(line.Written).Should().Be($"\"{text}\"");
    }

    private static void Compare(string text)
    {
        var ours = new Utf8Line();
        using var serilogs = new StringWriter(CultureInfo.InvariantCulture);

        JsonText.WriteQuoted(text, ours);
        JsonValueFormatter.WriteQuotedJsonString(text, serilogs);

        Encoding.UTF8.GetString(ours.Written).Should().Be(serilogs.ToString());
    }
}
