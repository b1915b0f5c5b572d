namespace MonitoredService.Observability.Logging;

/// <summary>
/// A UTC time as the round-trip format ("O") writes it, <c>2026-12-06T12:00:00.1234567Z</c>, with
/// the part up to the second formatted once per second and reused: lines of the same second differ
/// only in their fraction. One per formatter; safe to share (a stale second is formatted again).
/// </summary>
internal sealed class Utf8Timestamp
{
    private const int SecondLength = 20; // "2026-12-06T12:00:00."

    private Second _last = new(-1, new byte[SecondLength]);

    public void Write(DateTime utc, Utf8Line output)
    {
        var second = utc.Ticks / TimeSpan.TicksPerSecond;
        var last = _last;
        if (last.Number != second)
        {
            var prefix = new byte[SecondLength];
            utc.TryFormat(prefix, out _, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'", System.Globalization.CultureInfo.InvariantCulture);
            _last = last = new Second(second, prefix);
        }

        output.Write(last.Prefix);
        var fraction = output.GetSpan(8);
        var ticks = utc.Ticks % TimeSpan.TicksPerSecond;
        for (var digit = 6; digit >= 0; digit--)
        {
            fraction[digit] = (byte)('0' + (ticks % 10));
            ticks /= 10;
        }

        fraction[7] = (byte)'Z';
        output.Advance(8);
    }

    private sealed record Second(long Number, byte[] Prefix);
}
