using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using MonitoredService.Observability.Http;

namespace MonitoredService.Unit.Tests.Http;

/// <summary>One record of what the signals report about a request, captured right after routing.</summary>
public sealed class RequestFactsTests
{
    [Theory]
    [InlineData("/api/items/{id}", "/api/items/{id}")]
    [InlineData("/api/items/", "/api/items")]
    [InlineData("/", "/")]
    public async Task TheRouteIsTheEndpointsTemplateWithoutATrailingSlash(string template, string route)
    {
        var facts = await CaptureAsync(Context("GET", Endpoint(template)));

        facts.Route.Should().Be(route);
    }

    [Fact]
    public async Task ARequestThatMatchedNoRouteHasTheUnmatchedRouteAndIsApplicationTraffic()
    {
        var facts = await CaptureAsync(Context("GET", endpoint: null));

        facts.Route.Should().Be(RequestFacts.Unmatched);
        facts.Kind.Should().Be(RequestKind.Api);
    }

    [Theory]
    [InlineData(null, RequestKind.Api)]
    [InlineData(RequestKind.Probe, RequestKind.Probe)]
    [InlineData(RequestKind.Scrape, RequestKind.Scrape)]
    public async Task TheKindIsTheEndpointsMetadata(RequestKind? marked, RequestKind kind)
    {
        var facts = await CaptureAsync(Context("GET", Endpoint("/somewhere", marked)));

        facts.Kind.Should().Be(kind);
    }

    [Fact]
    public async Task AnUnknownMethodIsFoldedInTheFactsAndTheRequestKeepsItsOwn()
    {
        var context = Context("BREW", Endpoint("/api/items"));

        var facts = await CaptureAsync(context);

        facts.Method.Should().Be(RequestFacts.OtherMethod);
        context.Request.Method.Should().Be("BREW", "labelling code never changes the request");
        (await CaptureAsync(Context("DELETE", Endpoint("/api/items")))).Method.Should().Be("DELETE");
    }

    [Fact]
    public async Task TheStartIsTakenAtCaptureAndEverySignalReadsTheSameFacts()
    {
        var context = Context("GET", Endpoint("/api/items"));
        var before = Stopwatch.GetTimestamp();

        var facts = await CaptureAsync(context);

        facts.StartTimestamp.Should().BeGreaterThanOrEqualTo(before);
        RequestFacts.Of(context).Should().BeSameAs(facts);
        facts.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.Zero);
    }

    private static async Task<RequestFacts> CaptureAsync(HttpContext context)
    {
        RequestFacts? seen = null;
        await RequestFacts.CaptureAsync(context, inner =>
        {
            seen = RequestFacts.Of(inner);
            return Task.CompletedTask;
        });
        return seen!;
    }

    private static DefaultHttpContext Context(string method, Endpoint? endpoint)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.SetEndpoint(endpoint);
        return context;
    }

    private static RouteEndpoint Endpoint(string template, RequestKind? kind = null) => new(
        _ => Task.CompletedTask,
        RoutePatternFactory.Parse(template),
        order: 0,
        kind is { } marked ? new EndpointMetadataCollection(new RequestKindMetadata(marked)) : EndpointMetadataCollection.Empty,
        displayName: template);
}
