using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MonitoredService.FaultInjection;
using MonitoredService.Hosting;
using MonitoredService.InProcess.Tests.Infrastructure;
using MonitoredService.InProcess.Tests.Tracing;
using MonitoredService.Items;
using MonitoredService.Observability;
using MonitoredService.Security;

namespace MonitoredService.InProcess.Tests.Errors;

/// <summary>
/// The host's registrations may come in any order: Program.cs calls AddObservability first, and a
/// host that registers its store first gets the same answers and the same signals. (The store's
/// exception handler used to run before the library's span recorder when registered first, and the
/// request's span then lost the exception.)
/// </summary>
[Collection(TracingCollection.Name)]
public sealed class RegistrationOrderTests : IAsyncLifetime
{
    private readonly FakeOtlpCollector _collector = new();
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("monitoredservice-order-");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _collector.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Delete(recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AStoreFailureIsAnswered503AndRecordedOnTheRequestsSpanWhateverTheOrder(bool storeFirst)
    {
        await using var app = await StartAsync(storeFirst);
        using var client = app.GetTestClient();
        await client.WaitForStatusAsync("/health/ready", HttpStatusCode.OK);
        app.Services.GetRequiredService<ControllableItemStore>().Mode = StoreMode.Broken;

        using var response = await client.GetAsync("/api/items/3");
        var trace = TraceResponse.Of(response);
        var server = await _collector.WaitForSpanAsync(span => span.TraceId == trace.TraceId && span.Name == "GET /api/items/{id}");

        var problem = await response.ShouldBeProblemAsync(503);
        problem.GetProperty("title").GetString().Should().Be("The item store is unavailable");
        response.Headers.RetryAfter.Should().NotBeNull();
        server.StatusCode.Should().Be(2, "the request failed on the server's side");
        server.Events.Should().ContainSingle(e => e.Name == "exception")
            .Which.Attributes["exception.type"].Should().Be(typeof(StoreUnavailableException).FullName);
    }

    /// <summary>Program.cs, with the host's store registered before or after the observability defaults.</summary>
    private async Task<WebApplication> StartAsync(bool storeFirst)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            EnvironmentName = "Production",
            ContentRootPath = _data.FullName,
        });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Store:Path"] = Path.Combine(_data.FullName, $"items-{storeFirst}.db"),
            ["Observability:Shutdown:DrainDelay"] = "00:00:00",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_TRACES_SAMPLER"] = "always_on",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        if (storeFirst)
        {
            builder.AddItemStore();
            builder.AddFaultInjection();
            builder.AddServerLimits();
            builder.AddApiSecurity();
            builder.AddObservability();
        }
        else
        {
            builder.AddObservability();
            builder.AddServerLimits();
            builder.AddApiSecurity();
            builder.AddItemStore();
            builder.AddFaultInjection();
        }

        MonitoredServiceApplication.PutControllableStoreBeneathTheInstrumentation(builder.Services);
        var app = builder.Build();
        app.UseObservability();
        app.UseApiSecurity();
        app.UseFaultInjection();
        app.MapObservabilityEndpoints();
        app.MapGroup("/api").RequireApiSecurity().MapItemsApi();
        await app.StartAsync();
        return app;
    }
}
