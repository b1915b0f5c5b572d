using Serilog.Events;

namespace MonitoredService.Observability.Logging;

/// <summary>A formatter that writes a line of UTF-8 directly (the stdout sink's fast path).</summary>
internal interface IUtf8Formatter
{
    void Format(LogEvent logEvent, Utf8Line output);

    /// <summary>A request-completion line from its fields, read from its event on the thread that emitted it (<see cref="StdoutSink"/>).</summary>
    void Format(in RequestCompletionEvent.Fields completion, Utf8Line output);
}
