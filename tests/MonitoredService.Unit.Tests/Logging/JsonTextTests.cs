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

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.0004999)]
    [InlineData(0.0005)]
    [InlineData(0.0015)]
    [InlineData(1.0625)]
    [InlineData(2.5)]
    [InlineData(0.9995)]
    [InlineData(999.9999)]
    [InlineData(123456.789)]
    [InlineData(999_999.9995)]
    [InlineData(1e6)]
    [InlineData(3.5e7)]
    [InlineData(-1.25)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void MillisecondsAreWrittenAsF3WritesThem(double milliseconds) => CompareThousandths(milliseconds);

    [Fact]
    public void DurationsAreWrittenAsF3WritesThemForRandomValuesAndTies()
    {
        CompareThousandths(-0.0); // "-0.000" (an InlineData of -0.0 would be the same case as 0.0)
        var random = new Random(20261206);
        for (var i = 0; i < 20_000; i++)
        {
            CompareThousandths(random.NextDouble() * Math.Pow(10, random.Next(-4, 7))); // 0.1 µs to 1,000 s
            CompareThousandths(random.Next(0, 10_000_000) / 10_000.0); // what a TimeSpan's TotalMilliseconds gives: ties at every fifth
            CompareThousandths((random.Next(0, 2_000_000) + 0.5) / 1000); // halfway between two thousandths
        }
    }

    private static void CompareThousandths(double milliseconds)
    {
        var ours = new Utf8Line();
        JsonText.WriteThousandths(milliseconds, ours);

        Encoding.UTF8.GetString(ours.Written).Should().Be(milliseconds.ToString("F3", CultureInfo.InvariantCulture), $"the value is {milliseconds:R}");
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
