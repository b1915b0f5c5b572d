namespace MonitoredService.Items;

/// <summary>The store could not answer (file locked, disk error, server down, timeout).</summary>
public sealed class StoreUnavailableException(string message, Exception innerException)
    : Exception(message, innerException);
