using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MonitoredService.Observability.Http;

namespace MonitoredService.Unit.Tests.Http;

/// <summary>The status every signal reports: what the client got, not what the response object says.</summary>
public sealed class ResponseStatusTests
{
    [Theory]
    [InlineData(false, false, 404, 404)]
    [InlineData(true, false, 200, 500)] // Kestrel answers 500 for an exception before the response started
    [InlineData(true, true, 200, 200)] // the client already has its status line
    public void IsWhatTheClientGot(bool threw, bool started, int statusOnResponse, int expected)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseFeature>(new ResponseFeature(started) { StatusCode = statusOnResponse });

        ResponseStatus.Of(context, threw).Should().Be(expected);
    }

    private sealed class ResponseFeature(bool started) : HttpResponseFeature
    {
        public override bool HasStarted => started;
    }
}
