using System.Buffers;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// Log lines being written as UTF-8: a pooled array that grows, reused line after line (or batch
/// after batch). Not thread-safe: one per thread that formats.
/// </summary>
internal sealed class Utf8Line(int initialCapacity = 1024)
{
    private byte[] _bytes = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

    /// <summary>Room for at least <paramref name="size"/> more bytes, to be followed by <see cref="Advance"/>.</summary>
    public Span<byte> GetSpan(int size)
    {
        if (_bytes.Length - Length < size)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_bytes.Length * 2, Length + size));
            Written.CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = larger;
        }

        return _bytes.AsSpan(Length);
    }

    public void Advance(int count) => Length += count;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    public void Write(byte value)
    {
        GetSpan(1)[0] = value;
        Length++;
    }

    /// <summary>Forgets what was written from <paramref name="length"/> on.</summary>
    public void Truncate(int length) => Length = Math.Min(Length, length);

    /// <summary>Empty again; an exceptionally long line does not keep its array.</summary>
    public void Clear()
    {
        Length = 0;
        if (_bytes.Length > Math.Max(64 * 1024, 4 * initialCapacity))
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = ArrayPool<byte>.Shared.Rent(initialCapacity);
        }
    }
}
