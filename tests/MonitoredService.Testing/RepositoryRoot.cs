namespace MonitoredService.Testing;

/// <summary>
/// The repository a test or benchmark runs from: the first directory above its assembly that holds
/// MonitoredService.sln. Shared by the test projects, the harness and the micro-benchmarks.
/// </summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MonitoredService.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No MonitoredService.sln above {AppContext.BaseDirectory}.");
    }
}
