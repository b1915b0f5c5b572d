namespace MonitoredService.Testing;

/// <summary>
/// The service as <c>dotnet publish</c> lays it out (the Release build, published once per test run
/// into artifacts/published, readable by every user, for tests that run it as another user; not
/// under /tmp, which a sandbox replaces with its own).
/// </summary>
public static class PublishedService
{
    private static readonly Lazy<Task<string>> Directory = new(PublishAsync);

    /// <summary>The published MonitoredService.dll.</summary>
    public static async Task<string> AssemblyAsync() => Path.Combine(await Directory.Value, "MonitoredService.dll");

    private static async Task<string> PublishAsync()
    {
        var output = Repository.Path("artifacts", "published");
        if (System.IO.Directory.Exists(output))
        {
            System.IO.Directory.Delete(output, recursive: true);
        }

        var publish = await Tools.RunAsync("dotnet",
            ["publish", Repository.Path("src", "MonitoredService", "MonitoredService.csproj"), "--configuration", "Release", "--no-build", "--output", output]);
        publish.ExitCode.Should().Be(0, publish.All);
        var readable = await Tools.RunAsync("chmod", ["-R", "a+rX", output]);
        readable.ExitCode.Should().Be(0, readable.All);
        return output;
    }
}
