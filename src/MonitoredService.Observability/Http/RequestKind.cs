namespace MonitoredService.Observability.Http;

/// <summary>What a request is for; the signals treat the kinds differently (see <see cref="RequestFacts"/>).</summary>
internal enum RequestKind
{
    /// <summary>The service's own work, and any request that matched no route: logged, measured, traced.</summary>
    Api,

    /// <summary>A health probe: measured; logged at Debug; not traced.</summary>
    Probe,

    /// <summary>A metrics scrape: logged at Debug; neither measured as a request nor traced.</summary>
    Scrape,
}

/// <summary>Endpoint metadata that marks an endpoint's <see cref="RequestKind"/> (the default is <see cref="RequestKind.Api"/>).</summary>
internal sealed record RequestKindMetadata(RequestKind Kind);
