using System.Globalization;
using System.Text;
using MonitoredService.Observability.Redaction;
using Serilog.Events;
using Serilog.Formatting;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// Masks secrets in the formatted line, whatever produced them (a message, a property, an exception
/// from a driver), for every sink that uses it. Runs on the sinks' background threads. The line is
/// formatted into a per-thread buffer kept in one chunk, so that the vectorised secret pre-check
/// reads it in place and most lines are written without a copy.
/// </summary>
internal sealed class RedactingFormatter(ITextFormatter inner) : ITextFormatter
{
    private const int InitialCapacity = 4 * 1024;

    [ThreadStatic]
    private static StringWriter? t_buffer;

    public void Format(LogEvent logEvent, TextWriter output)
    {
        var buffer = t_buffer ??= NewBuffer(InitialCapacity);
        var builder = buffer.GetStringBuilder();
        builder.Clear();
        inner.Format(logEvent, buffer);
        if (SecretRedactor.MayContainSecret(builder))
        {
            output.Write(SecretRedactor.Redact(builder.ToString()));
        }
        else
        {
            output.Write(builder);
        }

        // A line that outgrew the buffer left it in several chunks: start the next one with a single
        // chunk large enough, and never keep more than 64 KiB after an exceptional event.
        if (builder.Length > InitialCapacity || builder.Capacity > 64 * 1024)
        {
            t_buffer = NewBuffer(Math.Clamp(builder.Length * 2, InitialCapacity, 64 * 1024));
        }
    }

    private static StringWriter NewBuffer(int capacity) => new(new StringBuilder(capacity), CultureInfo.InvariantCulture);
}
