using System.Text.RegularExpressions;

namespace MonitoredService.Testing;

/// <summary>The W3C <c>traceresponse</c> header of a response: version, trace id, span id, flags.</summary>
public sealed partial record TraceResponse(string TraceId, string SpanId, bool Sampled)
{
    public static TraceResponse Of(HttpResponseMessage response)
    {
        response.Headers.TryGetValues("traceresponse", out var values).Should().BeTrue("every response carries a traceresponse header");
        var match = Format().Match(values!.Single());
        match.Success.Should().BeTrue($"'{values!.Single()}' is 00-<32 hex>-<16 hex>-<2 hex>");
        return new TraceResponse(match.Groups["trace"].Value, match.Groups["span"].Value, match.Groups["flags"].Value == "01");
    }

    [GeneratedRegex("^00-(?<trace>[0-9a-f]{32})-(?<span>[0-9a-f]{16})-(?<flags>0[01])$")]
    private static partial Regex Format();
}
