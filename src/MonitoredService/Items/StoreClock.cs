namespace MonitoredService.Items;

internal static class StoreClock
{
    /// <summary>
    /// Now, to the microsecond: what PostgreSQL's timestamptz keeps. Both stores use it, so that the
    /// item a create returns is the item a later read returns, whichever store serves it.
    /// </summary>
    public static DateTimeOffset Now(TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % 10), TimeSpan.Zero);
    }
}
