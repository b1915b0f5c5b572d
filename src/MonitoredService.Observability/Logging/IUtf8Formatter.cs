using Serilog.Events;

namespace MonitoredService.Observability.Logging;

/// <summary>A formatter that writes a line of UTF-8 directly (the stdout sink's fast path).</summary>
internal interface IUtf8Formatter
{
    void Format(LogEvent logEvent, Utf8Line output);
}
