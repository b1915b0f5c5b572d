namespace MonitoredService.Tests.Infrastructure;

/// <summary>One started service shared by the tests of a class (xunit class fixture).</summary>
public sealed class ReadyServiceFixture : IAsyncLifetime
{
    public MonitoredServiceApplication App { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync() => Client = await App.CreateReadyClientAsync();

    public Task DisposeAsync()
    {
        Client.Dispose();
        App.Dispose();
        return Task.CompletedTask;
    }
}
