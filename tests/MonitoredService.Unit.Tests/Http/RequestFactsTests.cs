using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using MonitoredService.Observability.Http;

namespace MonitoredService.Unit.Tests.Http;

/// <summary>One record of what the signals report about a request, captured right after routing and settled once it completed.</summary>
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
    [InlineData(null, nameof(RequestKind.Api))]
    [InlineData(nameof(RequestKind.Probe), nameof(RequestKind.Probe))]
    [InlineData(nameof(RequestKind.Scrape), nameof(RequestKind.Scrape))]
    public async Task TheKindIsTheEndpointsMetadata(string? marked, string kind) // names: the kinds are internal to the library
    {
        var facts = await CaptureAsync(Context("GET", Endpoint("/somewhere", marked is null ? null : Enum.Parse<RequestKind>(marked))));

        facts.Kind.Should().Be(Enum.Parse<RequestKind>(kind));
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

    [Fact]
    public async Task EveryObserverSeesTheStartThenTheSameSettledStatusAndDuration()
    {
        var context = Context("GET", Endpoint("/api/items"));
        var (first, second) = (new RecordingObserver(), new RecordingObserver());
        var observation = new RequestObservation([first, second]);

        await observation.InvokeAsync(context, async inner =>
        {
            first.Seen.Should().Equal(["started 0"], "observers see the start before the rest of the pipeline runs");
            await Task.Delay(20);
            inner.Response.StatusCode = StatusCodes.Status201Created;
        });
        var facts = RequestFacts.Of(context);
        var settled = facts.Elapsed;
        await Task.Delay(20);

        first.Seen.Should().Equal("started 0", "completed 201");
        second.Seen.Should().Equal(first.Seen);
        first.Facts.Should().AllSatisfy(seen => seen.Should().BeSameAs(facts));
        facts.Elapsed.Should().Be(settled, "the duration is settled once, when the request completes").And.BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(15));
    }

    [Fact]
    public async Task ARequestThatThrowsIsObservedAsThe500KestrelSendsAndTheExceptionGoesOn()
    {
        var context = Context("GET", Endpoint("/api/items"));
        var observer = new RecordingObserver();

        var act = () => new RequestObservation([observer]).InvokeAsync(context, _ => throw new InvalidOperationException("boom"));

        await act.Should().ThrowAsync<InvalidOperationException>();
        observer.Seen.Should().Equal("started 0", "completed 500");
        context.Response.StatusCode.Should().Be(StatusCodes.Status200OK, "the observation does not change the response");
    }

    [Fact]
    public async Task APipelineThatCompletesSynchronouslyIsObservedBeforeTheObservationReturns()
    {
        var context = Context("GET", Endpoint("/api/items"));
        var observer = new RecordingObserver();

        var observed = new RequestObservation([observer]).InvokeAsync(context, inner =>
        {
            inner.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });

        observed.IsCompletedSuccessfully.Should().BeTrue();
        observer.Seen.Should().Equal("started 0", "completed 404");
        await observed;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task APipelineWhoseTaskFaultsIsObservedAsThe500KestrelSends(bool synchronously)
    {
        var context = Context("GET", Endpoint("/api/items"));
        var observer = new RecordingObserver();

        var act = () => new RequestObservation([observer]).InvokeAsync(context, synchronously
            ? _ => Task.FromException(new InvalidOperationException("boom"))
            : async _ =>
            {
                await Task.Yield();
                throw new InvalidOperationException("boom");
            });

        await act.Should().ThrowAsync<InvalidOperationException>();
        observer.Seen.Should().Equal("started 0", "completed 500");
    }

    private static async Task<RequestFacts> CaptureAsync(HttpContext context)
    {
        RequestFacts? seen = null;
        await new RequestObservation([]).InvokeAsync(context, inner =>
        {
            seen = RequestFacts.Of(inner);
            return Task.CompletedTask;
        });
        return seen!;
    }

    private sealed class RecordingObserver : IRequestObserver
    {
        public List<string> Seen { get; } = [];

        public List<RequestFacts> Facts { get; } = [];

        public void OnStarted(HttpContext context, RequestFacts facts) => Record($"started {facts.Status}", facts);

        public void OnCompleted(HttpContext context, RequestFacts facts) => Record($"completed {facts.Status}", facts);

        private void Record(string what, RequestFacts facts)
        {
            Seen.Add(what);
            Facts.Add(facts);
        }
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
