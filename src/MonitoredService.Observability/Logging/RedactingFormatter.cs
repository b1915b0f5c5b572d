using System.Globalization;
using MonitoredService.Observability.Redaction;
using Serilog.Events;
using Serilog.Formatting;

namespace MonitoredService.Observability.Logging;

/// <summary>
/// Masks secrets in the formatted line, whatever produced them (a message, a property, an exception
/// from a driver), for every sink that uses it. Runs on the sinks' background threads.
/// </summary>
internal sealed class RedactingFormatter(ITextFormatter inner) : ITextFormatter
{
    [ThreadStatic]
    private static StringWriter? t_buffer;

    public void Format(LogEvent logEvent, TextWriter output)
    {
        var buffer = t_buffer ??= new StringWriter(CultureInfo.InvariantCulture);
        var builder = buffer.GetStringBuilder();
        builder.Clear();
        inner.Format(logEvent, buffer);
        output.Write(SecretRedactor.Redact(builder.ToString()));
        if (builder.Capacity > 64 * 1024)
        {
            t_buffer = null; // do not keep a huge buffer after an exceptional event
        }
    }
}
